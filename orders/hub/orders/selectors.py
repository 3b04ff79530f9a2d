"""Reads for the hub's pages and API: hub tables and the ledger, never partner schemas."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from portal.models import LedgerEvent
from tenants.models import Partner, Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.products import BomLine, ProductRevision
from .clearance import orders_visible_to


def order_board(*, user, today: datetime.date | None = None) -> QuerySet[NetworkOrder]:
    """Every order `user` may see (export control) with its projection (status,
    good, shipped, % complete, kept on the order row from the ledger) and a late
    flag, in a fixed number of queries whatever the number of orders."""
    today = today or timezone.localdate()
    return (
        orders_visible_to(user)
        .select_related("revision__product")
        .annotate(
            late=Case(
                When(late_q(today), then=Value(True)),
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


def order_quantity_dispatched(*, order: NetworkOrder) -> int:
    """Units of the order sent to plants, rejected dispatches left out."""
    live = order.dispatches.exclude(status=Dispatch.Status.REJECTED)
    return live.aggregate(total=Sum("quantity"))["total"] or 0


def late_q(today: datetime.date | None = None) -> Q:
    """Orders past their due date and not shipped."""
    today = today or timezone.localdate()
    return Q(due_date__lt=today) & ~Q(status=NetworkOrder.Status.SHIPPED)


def orders_with_live_dispatch(queryset: QuerySet[NetworkOrder], **dispatch_filter) -> QuerySet:
    """Orders with a live dispatch matching `dispatch_filter`, as a subquery:
    a join on dispatches would repeat an order once per matching dispatch."""
    live = Dispatch.objects.filter(order=OuterRef("pk"), **dispatch_filter).exclude(
        status=Dispatch.Status.REJECTED
    )
    return queryset.filter(Exists(live))


def order_get(*, number: str, user) -> NetworkOrder:
    """One order with its projection; 404 when it does not exist or `user` is
    not cleared for it (the same answer, so that the number reveals nothing)."""
    return get_object_or_404(order_board(user=user), number=number)


def live_dispatches(order: NetworkOrder) -> list[Dispatch]:
    return [d for d in order.dispatches.all() if d.status != Dispatch.Status.REJECTED]


def bom_tree(revision: ProductRevision) -> list[BomLine]:
    """The BOM lines depth-first (each line under its parent), each with its `depth`."""
    lines = list(revision.bom_lines.order_by("position"))
    children: dict[int | None, list[BomLine]] = {}
    for line in lines:
        children.setdefault(line.parent_id, []).append(line)
    ordered: list[BomLine] = []
    stack = [(line, 1) for line in reversed(children.get(None, []))]
    while stack:
        line, depth = stack.pop()
        line.depth = depth
        ordered.append(line)
        stack.extend((child, depth + 1) for child in reversed(children.get(line.pk, [])))
    return ordered


def dispatch_plant_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Plants grouped by partner for the dispatch form. Partners that cannot take
    work (onboarding, suspended) stay listed so that dispatch says why it refuses."""
    plants = (
        Plant.objects.filter(partner__in=Partner.objects.partners())
        .select_related("partner")
        .order_by("partner__name", "name")
    )
    choices = []
    for partner, group in groupby(plants, key=lambda p: p.partner):
        label = partner.name
        if partner.status != Partner.Status.ACTIVE:
            label = f"{partner.name} ({partner.get_status_display().lower()})"
        choices.append((label, [(p.pk, f"{p.name} ({p.code})") for p in group]))
    return choices


# ---- the ledger timeline -------------------------------------------------

PAYLOAD_LABELS = {
    "plant": _("plant"),
    "quantity": _("quantity"),
    "due_date": _("due date"),
    "status": _("status"),
    "promised_date": _("promised date"),
    "answered_at": _("answered"),
    "reason": _("reason"),
    "operation": _("operation"),
    "good": _("good"),
    "scrap": _("scrap"),
    "percent_complete": _("% complete"),
    "started_at": _("started"),
    "finished_at": _("finished"),
    "notes": _("notes"),
    "shipped": _("shipped"),
    "shipped_total": _("shipped in total"),
    "carrier": _("carrier"),
    "tracking_number": _("tracking number"),
    "lots": _("lots"),
}
STATUS_LABELS = dict(Dispatch.Status.choices)


@dataclass(frozen=True)
class TimelineEntry:
    event: LedgerEvent
    fields: list[tuple[str, str]]


def _readable(key: str, value) -> str:
    if value in (None, ""):
        return "—"
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if key == "percent_complete":
        return f"{value} %"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and (key.endswith("_at") or key.endswith("_date")):
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if key.endswith("_date") and len(value) == 10:
            return formats.date_format(parsed.date(), "SHORT_DATE_FORMAT")
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")
    return str(value)


def ledger_fields(payload: dict) -> list[tuple[str, str]]:
    """A ledger payload as (label, value) pairs: dates in the viewer's time
    zone and format, statuses by name, known keys first in a fixed order."""
    known = [k for k in PAYLOAD_LABELS if k in payload]
    other = sorted(k for k in payload if k not in PAYLOAD_LABELS)
    return [
        (str(PAYLOAD_LABELS.get(k, k.replace("_", " "))), _readable(k, payload[k]))
        for k in known + other
    ]


def order_timeline(*, order: NetworkOrder) -> list[TimelineEntry]:
    events = LedgerEvent.objects.filter(order_number=order.number).select_related("partner")
    return [TimelineEntry(event=e, fields=ledger_fields(e.payload)) for e in events]
