"""Reads of a partner's quality records, shared by its pages, PDFs and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.models import WorkOrder, WorkOrderOperation

from .models import (
    InspectionRecord,
)


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
