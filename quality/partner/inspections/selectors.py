"""Reads of a partner's inspections, shared by its pages, PDFs and the API: the
characteristics a work order is inspected against (hub data), its inspection
records, the characteristics measured here and their capability, and what the
inspection form prefills."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.models import WorkOrder, WorkOrderOperation
from quality.publish import capabilities_of
from quality.spc import CPK_TARGET

from ..models import InspectionRecord, Measurement

LOW_CAPABILITY_SCAN = 100  # the landing page looks at this many recently measured characteristics


def characteristics_for(
    *, work_order: WorkOrder, sequence: int | None = None
) -> QuerySet[InspectionCharacteristic]:
    """The inspection characteristics of the revision the work order makes (hub
    data, frozen with the released revision), optionally of one operation."""
    qs = InspectionCharacteristic.objects.filter(
        operation__revision__product__code=work_order.product_code,
        operation__revision__revision=work_order.revision,
    ).select_related("operation")
    if sequence is not None:
        qs = qs.filter(operation__sequence=sequence)
    return qs.order_by("operation__sequence", "id")


def inspected_operations(*, work_order: WorkOrder) -> list[WorkOrderOperation]:
    """The work order's operations that have characteristics to inspect."""
    sequences = set(
        characteristics_for(work_order=work_order).values_list("operation__sequence", flat=True)
    )
    return [op for op in work_order.operations.all() if op.sequence in sequences]


def inspection_list(*, work_order: WorkOrder | None = None) -> QuerySet[InspectionRecord]:
    qs = InspectionRecord.objects.select_related("work_order", "operation").annotate(
        out_of_tolerance=Count("measurements", filter=Q(measurements__conforming=False))
    )
    if work_order is not None:
        qs = qs.filter(work_order=work_order)
    return qs.order_by("-inspected_at", "-id")


def inspection_get(*, pk: int) -> InspectionRecord:
    try:
        return InspectionRecord.objects.select_related("work_order", "operation").get(pk=pk)
    except InspectionRecord.DoesNotExist as exc:
        raise Http404 from exc


def measured_characteristics() -> QuerySet:
    """One row per characteristic with measured values in this schema: its id,
    name, unit, how many values, how many out of tolerance, and the last time."""
    return (
        Measurement.objects.filter(kind=Measurement.Kind.VARIABLE)
        .values("characteristic_id")
        .annotate(
            name=Max("name"),
            unit=Max("unit"),
            values=Count("id"),
            out_of_tolerance=Count("id", filter=Q(conforming=False)),
            last_inspected=Max("record__inspected_at"),
        )
        .order_by("-last_inspected", "characteristic_id")
    )


def low_capability(limit: int = LOW_CAPABILITY_SCAN) -> list[dict]:
    """Recently measured characteristics whose Cpk is below the network's target."""
    rows = list(measured_characteristics()[:limit])
    results = capabilities_of(row["characteristic_id"] for row in rows)
    low = []
    for row in rows:
        result = results.get(row["characteristic_id"])
        cpk = result.capability.cpk if result and result.capability else None
        if cpk is not None and cpk < CPK_TARGET:
            low.append({**row, "cpk": cpk, "n": result.n_values})
    return sorted(low, key=lambda row: row["cpk"])


def characteristic_get(*, characteristic_id: int) -> InspectionCharacteristic:
    """A characteristic (hub data) that this partner may look at: one of a
    revision it has a work order for, or one it has measured."""
    characteristic = get_object_or_404(
        InspectionCharacteristic.objects.select_related("operation__revision__product"),
        pk=characteristic_id,
    )
    revision = characteristic.operation.revision
    known = (
        WorkOrder.objects.filter(
            product_code=revision.product.code, revision=revision.revision
        ).exists()
        or Measurement.objects.filter(characteristic_id=characteristic_id).exists()
    )
    if not known:
        raise Http404
    return characteristic


def work_order_numbers(ids: Iterable[int]) -> dict[int, str]:
    return dict(WorkOrder.objects.filter(pk__in=set(ids)).values_list("pk", "number"))


def work_order_number_or_blank(number: str | None) -> str:
    """`number` when it names a work order of this schema (to link back to it)."""
    if not number or len(number) > 30:
        return ""
    return WorkOrder.objects.filter(number=number).values_list("number", flat=True).first() or ""


def next_sample(*, operation) -> int:
    """The sample number after the last one recorded on this operation (first
    article pieces are numbered apart)."""
    last = (
        InspectionRecord.objects.filter(operation=operation)
        .exclude(source=InspectionRecord.Source.FIRST_ARTICLE)
        .aggregate(last=Max("sample"))["last"]
    )
    return (last or 0) + 1


def last_instrument(*, operation) -> str:
    return (
        InspectionRecord.objects.filter(operation=operation)
        .order_by("-recorded_at", "-id")
        .values_list("instrument", flat=True)
        .first()
        or ""
    )


def record_measurements(record: InspectionRecord) -> list[Measurement]:
    """The record's measurements, each with the NCRs raised from it."""
    return list(record.measurements.prefetch_related("nonconformances").order_by("id"))
