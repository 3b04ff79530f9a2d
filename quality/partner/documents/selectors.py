"""Reads of a work order's documents pages. Everything is looked up under the
work order named in the URL, in this partner's schema: another work order's
rendering or shipment is not found."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from orders.partner.models import Shipment

from ..models import Certificate, DocumentRender, NonConformance

# A certificate is refused while an NCR of its work order is in one of these states.
UNRESOLVED = (NonConformance.Status.OPEN, NonConformance.Status.AWAITING_APPROVAL)


def render_get(*, work_order, pk: int) -> DocumentRender:
    return get_object_or_404(
        DocumentRender.objects.select_related("work_order"), pk=pk, work_order=work_order
    )


def renders_of(work_order) -> QuerySet[DocumentRender]:
    return DocumentRender.objects.filter(work_order=work_order).select_related("work_order")


def shipment_get(*, work_order, pk: int) -> Shipment:
    return get_object_or_404(
        Shipment.objects.select_related("work_order", "certificate"),
        pk=pk,
        work_order=work_order,
    )


def shipments_of(work_order) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(work_order=work_order)
        .select_related("certificate")
        .order_by("-shipped_at")
    )


def certificate_of(shipment: Shipment) -> Certificate:
    return Certificate.objects.get(shipment=shipment)


def unresolved_ncr_numbers(work_order) -> list[str]:
    """The NCRs that stand in the way of certifying the work order's shipments."""
    return list(
        NonConformance.objects.filter(work_order=work_order, status__in=UNRESOLVED)
        .order_by("number")
        .values_list("number", flat=True)
    )
