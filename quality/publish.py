"""What a partner's quality records publish to the hub (public schema).

Called inside the transaction of the change, in the partner's schema: if that
transaction rolls back, so does what it published. Only what the partner's
data-sharing agreement releases is written: the quality summary (counts, NCR
headers, Cpk per characteristic) by default; never raw measurements, which the
hub reads only through the audited door when the partner shares them or grants
a named hub user time-boxed access.
"""

from __future__ import annotations

import contextlib

from django.db.models import Count, Min, Q

from tenants.models import DataSharingAgreement, Partner

from .hub.models import (
    CharacteristicCapability,
    IssuedDocument,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)
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


def inspections_publish(*, partner: Partner, work_order, characteristic_ids) -> None:
    """Refresh the work order's counts and the capability of the characteristics
    just measured."""
    from .partner.models import Measurement

    if not summary_released(partner):
        return
    WorkOrderQuality.objects.update_or_create(
        partner=partner,
        work_order_number=work_order.number,
        defaults={
            "order_number": work_order.order_number,
            "product_code": work_order.product_code,
            "revision": work_order.revision,
            **work_order_counts(work_order),
        },
    )
    names = dict(
        Measurement.objects.filter(characteristic_id__in=characteristic_ids, kind="variable")
        .values_list("characteristic_id", "name")
        .distinct()
    )
    results = capabilities_of(names)
    for characteristic_id, name in names.items():
        result = results[characteristic_id]
        if result is None:
            continue
        capability = result.capability
        CharacteristicCapability.objects.update_or_create(
            partner=partner,
            characteristic_id=characteristic_id,
            defaults={
                "product_code": work_order.product_code,
                "revision": work_order.revision,
                "name": name,
                "sample_size": result.n_values,
                "cp": capability.cp if capability else None,
                "cpk": capability.cpk if capability else None,
            },
        )


def ncr_publish(*, partner: Partner, ncr) -> None:
    if not summary_released(partner):
        return
    work_order = ncr.work_order
    NcrSummary.objects.update_or_create(
        partner=partner,
        number=ncr.number,
        defaults={
            "work_order_number": work_order.number,
            "order_number": work_order.order_number,
            "product_code": work_order.product_code,
            "revision": work_order.revision,
            "defect_code": ncr.defect_code,
            "quantity": ncr.quantity,
            "status": ncr.status,
            "disposition": ncr.disposition,
            "opened_at": ncr.raised_at,
            "closed_at": ncr.closed_at,
        },
    )


def use_as_is_request(*, partner: Partner, ncr, justification: str, user) -> UseAsIsRequest:
    work_order = ncr.work_order
    return UseAsIsRequest.objects.create(
        partner=partner,
        ncr_number=ncr.number,
        work_order_number=work_order.number,
        order_number=work_order.order_number,
        product_code=work_order.product_code,
        revision=work_order.revision,
        defect_code=ncr.defect_code,
        quantity=ncr.quantity,
        description=ncr.description,
        justification=justification,
        requested_by_label=user.get_username(),
    )


def certificate_register(*, partner: Partner, certificate) -> IssuedDocument:
    work_order = certificate.shipment.work_order
    return IssuedDocument.objects.create(
        partner=partner,
        kind=IssuedDocument.Kind.CERTIFICATE,
        number=certificate.number,
        work_order_number=work_order.number,
        order_number=work_order.order_number,
        content_sha256=certificate.content_sha256,
        pdf_sha256=certificate.pdf_sha256,
        issued_at=certificate.issued_at,
        signatory_label=certificate.signatory_label,
    )


def summary_withdraw(*, partner: Partner) -> None:
    """The partner stopped releasing its quality summary: the hub's copies go."""
    WorkOrderQuality.objects.filter(partner=partner).delete()
    CharacteristicCapability.objects.filter(partner=partner).delete()
    NcrSummary.objects.filter(partner=partner).delete()


def summary_republish(*, partner: Partner) -> None:
    """Publish the whole summary again (the partner released it again)."""
    from .partner.models import InspectionRecord, Measurement, NonConformance

    for ncr in NonConformance.objects.select_related("work_order"):
        ncr_publish(partner=partner, ncr=ncr)
    work_orders = {r.work_order for r in InspectionRecord.objects.select_related("work_order")}
    for work_order in work_orders:
        ids = set(
            Measurement.objects.filter(record__work_order=work_order).values_list(
                "characteristic_id", flat=True
            )
        )
        inspections_publish(partner=partner, work_order=work_order, characteristic_ids=ids)


def _sharing_changed(sender, *, partner, old, new, **kwargs) -> None:
    """Receives tenants.sharing.releases_changed (connected in quality.partner.apps)."""
    if SUMMARY in old and SUMMARY not in new:
        summary_withdraw(partner=partner)
    elif SUMMARY in new and SUMMARY not in old:
        summary_republish(partner=partner)
