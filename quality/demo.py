"""Quality records for the demo network, made through the partners' own services.

At Acme: a few weeks of bore measurements on its milled work orders (enough
samples for a control chart, with a drift the Nelson rules catch and one piece out
of tolerance), a first article inspection, an NCR with its CAPA under way, an NCR
whose use-as-is request waits in the hub quality engineer's queue, and a
certificate of conformance for a shipment. Idempotent: nothing is added once Acme
has inspection records.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.partner.models import WorkOrder
from tenants.models import Membership, Partner

from .partner.documents.services import certificate_issue
from .partner.first_article import services as fai_services
from .partner.inspections import services
from .partner.inspections.selectors import characteristics_for
from .partner.inspections.services import Reading
from .partner.models import InspectionRecord, NonConformance
from .partner.ncrs import services as ncr_services
from .publish import inspections_publish

DEMO_PARTNER = "acme"
SAMPLES = 30  # per work order measured, 3 pieces each


def _member(partner: Partner, role: str):
    return Membership.objects.select_related("user").get(partner=partner, role=role).user


def _readings(characteristics, rng, *, shift: float = 0.0, out: bool = False):
    readings = {}
    for c in characteristics:
        if c.kind == "attribute":
            readings[c.pk] = Reading(passed=True)
            continue
        width = float(c.upper_limit - c.lower_limit)
        value = float(c.nominal) + rng.gauss(shift * width, width / 9)
        if out:
            value = float(c.upper_limit) + width * 0.1
        readings[c.pk] = Reading(value=Decimal(f"{value:.4f}"))
    return readings


def seed_demo_quality() -> int:
    """Record the demo's quality data at Acme; return how many inspection records it has."""
    partner = Partner.objects.filter(slug=DEMO_PARTNER).first()
    if partner is None:
        return 0
    quality = _member(partner, "quality")
    rng = random.Random(20261125)  # noqa: S311  (demo data, not security)
    with schema_context(partner.schema_name):
        if InspectionRecord.objects.exists():
            return InspectionRecord.objects.count()
        measured = [
            wo
            for wo in WorkOrder.objects.filter(
                status__in=[WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.SHIPPED]
            ).order_by("number")
            if characteristics_for(work_order=wo).filter(kind="variable").exists()
        ][:4]
        now = timezone.now()
        out_of_tolerance = None
        for index, wo in enumerate(measured):
            operations = {op.sequence: op for op in wo.operations.all()}
            by_sequence: dict[int, list] = {}
            for c in characteristics_for(work_order=wo):
                by_sequence.setdefault(c.operation.sequence, []).append(c)
            for sample in range(1, SAMPLES + 1):
                inspected_at = now - datetime.timedelta(
                    days=28 * (len(measured) - index), hours=-(sample * 20)
                )
                inspected_at = min(inspected_at, now - datetime.timedelta(minutes=5))
                # The last work order drifts towards the upper limit.
                drifting = index == len(measured) - 1 and sample > 18
                shift = 0.012 * (sample - 18) if drifting else 0.0
                for sequence, characteristics in sorted(by_sequence.items()):
                    for piece in (1, 2, 3):
                        out = index == 0 and sample == 7 and piece == 2
                        record = services.inspection_record(
                            partner=partner,
                            work_order=wo,
                            operation=operations[sequence],
                            sample=sample,
                            piece=piece,
                            serial=f"{wo.number[-6:]}-{sample:03d}-{piece}",
                            instrument=rng.choice(["Bore gauge BG-7", "CMM Zeiss Contura"]),
                            inspected_at=inspected_at,
                            readings=_readings(characteristics, rng, shift=shift, out=out),
                            user=quality,
                            publish_now=False,
                        )
                        if out:
                            out_of_tolerance = record
            # The ledger takes an event only inside the transaction of the change.
            with transaction.atomic():
                inspections_publish(
                    partner=partner,
                    work_order=wo,
                    characteristic_ids={c.pk for cs in by_sequence.values() for c in cs},
                )
        if measured:
            first = measured[0]
            fai_services.first_article_record(
                partner=partner,
                work_order=first,
                serial=f"{first.number[-6:]}-FAI-1",
                instrument="CMM Zeiss Contura",
                inspected_at=now - datetime.timedelta(days=29 * len(measured)),
                readings=_readings(characteristics_for(work_order=first), rng),
                user=quality,
            )
        if out_of_tolerance is not None:
            measurement = out_of_tolerance.measurements.filter(conforming=False).first()
            waiting = ncr_services.ncr_raise(
                partner=partner,
                work_order=out_of_tolerance.work_order,
                user=quality,
                defect_code=NonConformance.DefectCode.DIMENSIONAL,
                quantity=1,
                lot=f"LOT-{out_of_tolerance.work_order.hub_dispatch_id:05d}",
                description="Bore oversize by 0.002 mm on one piece of sample 7.",
                containment="Piece tagged and held in the quarantine rack; sample 8 measured "
                "at 100 %.",
                measurement=measurement,
            )
            ncr_services.ncr_disposition_set(
                partner=partner,
                ncr=waiting,
                disposition=NonConformance.Disposition.USE_AS_IS,
                note="",
                justification="The bore takes a slip-fit pin; 0.002 mm over keeps the "
                "clearance the drawing's function needs.",
                user=quality,
            )
        if measured:
            wo = measured[-1]
            capa_ncr = ncr_services.ncr_raise(
                partner=partner,
                work_order=wo,
                user=quality,
                defect_code=NonConformance.DefectCode.SURFACE,
                quantity=4,
                description="Chatter marks on the bore after tool change.",
                containment="Parts from the affected sample re-inspected; 4 reworked.",
            )
            ncr_services.ncr_disposition_set(
                partner=partner,
                ncr=capa_ncr,
                disposition="rework",
                note="Honed to finish.",
                user=quality,
            )
            today = timezone.localdate()
            capa = ncr_services.capa_open(
                ncr=capa_ncr,
                user=quality,
                owners={s: ("Quality" if s % 2 else "Production") for s in range(1, 9)},
                due_dates={s: today + datetime.timedelta(days=3 * s) for s in range(1, 9)},
            )
            for step, notes in zip(
                capa.steps.order_by("step")[:3],
                [
                    "Quality lead, mill operator, tooling engineer.",
                    "Chatter marks on 4 of 90 bores after an insert change on mill 2.",
                    "Re-inspected the sample; 4 parts honed; mill 2 on first-piece checks.",
                ],
                strict=True,
            ):
                ncr_services.capa_step_complete(step=step, notes=notes, user=quality)
        shipped = (
            WorkOrder.objects.filter(status=WorkOrder.Status.SHIPPED, shipments__isnull=False)
            .exclude(nonconformances__status__in=["open", "awaiting_approval"])
            .order_by("number")
            .first()
        )
        if shipped is not None:
            certificate_issue(
                partner=partner,
                shipment=shipped.shipments.first(),
                user=quality,
                title="Quality manager",
            )
        return InspectionRecord.objects.count()
