"""What a partner's quality records publish to the hub: ledger events.

Called inside the transaction of the change, in the partner's schema, with the
partner passed in: if that transaction rolls back, so does what it published.
The quality summary (counts, NCR headers, Cpk per characteristic) travels in the
`quality_summary` group, so the ledger keeps it only while the agreement
releases it; raw measurements are never published (the hub reads them only
through the audited door when the partner shares them or grants a named hub
user time-boxed access). Use-as-is requests and issued certificates are the
partner's own acts towards the hub and always reach it. The hub's read models
are kept from these events by `quality.hub.projectors`.
"""

from __future__ import annotations

import contextlib

from django.db.models import Count, Min, Q

from portal.ledger import REQUEST, ledger_append
from tenants.models import DataSharingAgreement, Partner

from . import vocabulary
from .spc import spc_analyse

SUMMARY = DataSharingAgreement.Release.QUALITY_SUMMARY
RAW = DataSharingAgreement.Release.QUALITY_RAW


def summary_released(partner: Partner) -> bool:
    return SUMMARY in DataSharingAgreement.releases_for(partner)


def raw_released(partner: Partner) -> bool:
    return RAW in DataSharingAgreement.releases_for(partner)


def work_order_counts(work_order) -> dict:
    """Pieces inspected and conforming on a work order, and first-pass yield:
    each piece (its serial, or its operation, sample and piece number) counted at
    its first inspection only."""
    from .partner.models import InspectionRecord

    records = InspectionRecord.objects.filter(work_order=work_order)
    totals = records.aggregate(
        inspected=Count("id"), conforming=Count("id", filter=Q(conforming=True))
    )
    first_ids = (
        records.values("operation_id", "serial", "sample", "piece")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    first = InspectionRecord.objects.filter(id__in=list(first_ids)).aggregate(
        inspected=Count("id"), conforming=Count("id", filter=Q(conforming=True))
    )
    return {
        "pieces_inspected": totals["inspected"],
        "pieces_conforming": totals["conforming"],
        "first_pass_inspected": first["inspected"],
        "first_pass_conforming": first["conforming"],
    }


def capabilities_of(characteristic_ids, *, hidden_orders=()) -> dict:
    """SPC over every value of each characteristic in this schema, in one query:
    first article pieces and work orders of `hidden_orders` (network order
    numbers) left out, subgroups being the samples of each work order. None for a
    characteristic without any value, or with limits that admit no spread
    (LSL = USL). The limits are those the values were measured against (a
    released revision's limits never change)."""
    from .partner.models import InspectionRecord, Measurement

    ids = list(characteristic_ids)
    rows = (
        Measurement.objects.filter(characteristic_id__in=ids, kind="variable")
        .exclude(record__source=InspectionRecord.Source.FIRST_ARTICLE)
        .exclude(record__work_order__order_number__in=list(hidden_orders))
        .order_by(
            "characteristic_id",
            "record__inspected_at",
            "record__sample",
            "record__piece",
            "record_id",
        )
        .values_list(
            "characteristic_id",
            "record__work_order_id",
            "record__sample",
            "value",
            "lower_limit",
            "upper_limit",
            "nominal",
        )
    )
    grouped: dict[int, list[tuple]] = {}
    for characteristic_id, *rest in rows:
        grouped.setdefault(characteristic_id, []).append(rest)
    results: dict = dict.fromkeys(ids)
    for characteristic_id, values in grouped.items():
        *_head, lsl, usl, nominal = values[-1]
        with contextlib.suppress(ValueError):  # LSL = USL: no spread to chart
            results[characteristic_id] = spc_analyse(
                [((wo, sample), value) for wo, sample, value, *_limits in values],
                lsl=lsl,
                usl=usl,
                nominal=nominal,
            )
    return results


def capability_of(characteristic_id: int, *, hidden_orders=()):
    """`capabilities_of` for one characteristic."""
    return capabilities_of([characteristic_id], hidden_orders=hidden_orders)[characteristic_id]


def _work_order_event(*, partner: Partner, kind: str, work_order, groups, actor_label: str):
    return ledger_append(
        partner=partner,
        kind=kind,
        order_number=work_order.order_number,
        work_order_number=work_order.number,
        groups=groups,
        actor_label=actor_label,
    )


def inspections_publish(
    *, partner: Partner, work_order, characteristic_ids, actor_label: str = ""
) -> None:
    """Publish the work order's counts and the capability of the characteristics
    just measured."""
    from .partner.models import Measurement

    if not summary_released(partner):
        return  # nothing of it would be released: spare the SPC
    names = dict(
        Measurement.objects.filter(characteristic_id__in=characteristic_ids, kind="variable")
        .values_list("characteristic_id", "name")
        .distinct()
    )
    results = capabilities_of(names)
    capabilities = []
    for characteristic_id, name in sorted(names.items()):
        result = results[characteristic_id]
        if result is None:
            continue
        capability = result.capability
        capabilities.append(
            {
                "characteristic": characteristic_id,
                "name": name,
                "n": result.n_values,
                "cp": capability.cp if capability else None,
                "cpk": capability.cpk if capability else None,
            }
        )
    _work_order_event(
        partner=partner,
        kind=vocabulary.INSPECTED,
        work_order=work_order,
        actor_label=actor_label,
        groups={
            SUMMARY: {
                "product_code": work_order.product_code,
                "revision": work_order.revision,
                **work_order_counts(work_order),
                "capabilities": capabilities,
            }
        },
    )


def ncr_publish(*, partner: Partner, ncr, actor_label: str = "") -> None:
    """Publish the NCR's header: no description, no photos."""
    work_order = ncr.work_order
    _work_order_event(
        partner=partner,
        kind=vocabulary.NCR_CHANGED,
        work_order=work_order,
        actor_label=actor_label,
        groups={
            SUMMARY: {
                "ncr": ncr.number,
                "product_code": work_order.product_code,
                "revision": work_order.revision,
                "defect_code": ncr.defect_code,
                "quantity": ncr.quantity,
                "status": ncr.status,
                "disposition": ncr.disposition,
                "opened_at": ncr.raised_at.isoformat(),
                "closed_at": ncr.closed_at.isoformat() if ncr.closed_at else None,
            }
        },
    )


def use_as_is_request(*, partner: Partner, ncr, justification: str, user) -> None:
    """Ask the hub to accept the NCR's parts as they are: the request carries
    what the partner chose to send with it, whatever the agreement releases."""
    work_order = ncr.work_order
    _work_order_event(
        partner=partner,
        kind=vocabulary.USE_AS_IS_REQUESTED,
        work_order=work_order,
        actor_label=user.get_username(),
        groups={
            REQUEST: {
                "ncr": ncr.number,
                "product_code": work_order.product_code,
                "revision": work_order.revision,
                "defect_code": ncr.defect_code,
                "quantity": ncr.quantity,
                "description": ncr.description,
                "justification": justification,
            }
        },
    )


def certificate_register(*, partner: Partner, certificate) -> None:
    """Register an issued certificate with the network, so that a copy can be
    checked by its number and hashes."""
    _work_order_event(
        partner=partner,
        kind=vocabulary.CERTIFICATE_REGISTERED,
        work_order=certificate.shipment.work_order,
        actor_label=certificate.signatory_label,
        groups={
            REQUEST: {
                "kind": "coc",
                "number": certificate.number,
                "content_sha256": certificate.content_sha256,
                "pdf_sha256": certificate.pdf_sha256,
                "issued_at": certificate.issued_at.isoformat(),
                "signatory": certificate.signatory_label,
            }
        },
    )


def summary_republish(*, partner: Partner) -> None:
    """Publish the whole summary again (the partner released it again)."""
    from .partner.models import InspectionRecord, Measurement, NonConformance

    for ncr in NonConformance.objects.select_related("work_order").order_by("pk"):
        ncr_publish(partner=partner, ncr=ncr)
    work_orders = {
        r.work_order for r in InspectionRecord.objects.select_related("work_order").order_by("pk")
    }
    for work_order in sorted(work_orders, key=lambda wo: wo.pk):
        ids = set(
            Measurement.objects.filter(record__work_order=work_order).values_list(
                "characteristic_id", flat=True
            )
        )
        inspections_publish(partner=partner, work_order=work_order, characteristic_ids=ids)


def _sharing_changed(sender, *, partner, old, new, **kwargs) -> None:
    """Receives tenants.sharing.releases_changed (connected in quality.partner.apps):
    a new release publishes the whole summary. A withdrawal needs nothing here:
    the ledger rebuilds the partner's hub read models without the group."""
    if SUMMARY in new and SUMMARY not in old:
        summary_republish(partner=partner)
