"""Reads for the hub's order pages: hub tables and the ledger, never partner schemas."""

from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.models import LedgerEvent

from .models import Dispatch, NetworkOrder

LIVE = ~Q(dispatches__status=Dispatch.Status.REJECTED)


def order_board(*, today=None) -> QuerySet[NetworkOrder]:
    """Every order with its projection: quantities over live dispatches and a late flag,
    in a fixed number of queries whatever the number of orders."""
    today = today or timezone.localdate()
    return (
        NetworkOrder.objects.select_related("revision__product")
        .annotate(
            good=Coalesce(Sum("dispatches__good_quantity", filter=LIVE), 0),
            # % complete of each dispatch, weighted by its share of the order
            progress_units=Coalesce(
                Sum(F("dispatches__percent_complete") * F("dispatches__quantity"), filter=LIVE), 0
            ),
            shipped=Coalesce(Sum("dispatches__shipped_quantity", filter=LIVE), 0),
            late=Case(
                When(
                    Q(due_date__lt=today) & ~Q(status=NetworkOrder.Status.SHIPPED), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .prefetch_related(
            Prefetch(
                "dispatches",
                queryset=Dispatch.objects.select_related("partner", "plant").order_by(
                    "work_order_number"
                ),
            )
        )
    )


def order_get(*, number: str) -> NetworkOrder:
    return get_object_or_404(order_board(), number=number)


def order_timeline(*, order: NetworkOrder) -> QuerySet[LedgerEvent]:
    return LedgerEvent.objects.filter(order_number=order.number).select_related("partner")


def percent_complete(order: NetworkOrder) -> int:
    return min(100, round(order.progress_units / order.quantity)) if order.quantity else 0
