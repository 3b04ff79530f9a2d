"""Reads of network orders for the hub's pages and API: hub tables and the ledger,
never partner schemas.

Export control: an export-controlled order is seen only by users cleared for it.
Clearance is a guardian object permission (`orders_hub.view_networkorder`) on
the order, kept in the public schema beside it. The network admin is the
clearance authority: sees every order and grants or revokes clearance to hub
members, each change audited (`services.clearance_grant`). Whoever creates an
export-controlled order is cleared for it. Everyone else finds no trace of the
order on the hub: not on the board, in its CSV, on a detail page (404) or in the
API, because every read of orders here starts from `orders_visible_to`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
from django_tenants.utils import get_public_schema_name
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from portal.models import LedgerEvent, User
from tenants.models import HUB_ROLES, Membership, Role

from ..models.orders import Dispatch, NetworkOrder

# ---- export control ------------------------------------------------------

PERMISSION = "orders_hub.view_networkorder"
CODENAME = "view_networkorder"


def is_authority(user) -> bool:
    """The network admin decides who is cleared (and so sees every order)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user,
        partner__schema_name=get_public_schema_name(),
        role=Role.NETWORK_ADMIN,
    ).exists()


def orders_visible_to(user, queryset: QuerySet[NetworkOrder] | None = None) -> QuerySet:
    """`queryset` (default: every order) without the export-controlled orders
    that `user` is not cleared for. One subquery, whatever the number of orders."""
    queryset = NetworkOrder.objects.all() if queryset is None else queryset
    if is_authority(user):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.filter(export_controlled=False)
    cleared = get_objects_for_user(
        user,
        PERMISSION,
        klass=NetworkOrder,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
    return queryset.filter(Q(export_controlled=False) | Q(pk__in=cleared.values("pk")))


def cleared_users(order: NetworkOrder) -> list[User]:
    users = get_users_with_perms(
        order, only_with_perms_in=[CODENAME], with_group_users=False, with_superusers=False
    )
    return sorted(users, key=lambda u: u.get_username())


def clearance_candidates(order: NetworkOrder) -> QuerySet[User]:
    """Hub members who are not cleared for `order` yet."""
    cleared = [u.pk for u in cleared_users(order)]
    return (
        User.objects.filter(
            memberships__partner__schema_name=get_public_schema_name(),
            memberships__role__in=HUB_ROLES,
            is_active=True,
        )
        .exclude(pk__in=cleared)
        .distinct()
        .order_by("username")
    )


# ---- the board and an order's detail ------------------------------------


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


def order_counter_proposals(order: NetworkOrder) -> list[Dispatch]:
    """Dispatches awaiting the hub's decision on a promised date, with the
    difference to the due date in days."""
    proposals = [d for d in order.dispatches.all() if d.status == Dispatch.Status.COUNTER_PROPOSED]
    for d in proposals:
        d.delay_days = (d.promised_date - order.due_date).days if d.promised_date else 0
        d.delay_days_early = -d.delay_days
    return proposals


def dispatch_get_for_user(*, dispatch_pk: int, user, number: str | None = None) -> Dispatch:
    """One dispatch of an order that `user` may see (of order `number`, if given), with
    its order, partner and plant; 404 otherwise."""
    visible = orders_visible_to(user)
    if number is not None:
        visible = visible.filter(number=number)
    return get_object_or_404(
        Dispatch.objects.select_related("order", "partner", "plant"),
        pk=dispatch_pk,
        order__in=visible,
    )


def order_list(*, user, status: str | None = None) -> QuerySet[NetworkOrder]:
    """The orders `user` may see with their dispatches, by due date (the API's list)."""
    queryset = (
        orders_visible_to(user)
        .select_related("revision__product")
        .prefetch_related("dispatches__partner", "dispatches__plant")
        .order_by("due_date", "number")
    )
    return queryset.filter(status=status) if status else queryset


def live_dispatches(order: NetworkOrder) -> list[Dispatch]:
    return [d for d in order.dispatches.all() if d.status != Dispatch.Status.REJECTED]


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


def order_events(*, number: str) -> QuerySet[LedgerEvent]:
    """The ledger events of an order, oldest first."""
    return LedgerEvent.objects.filter(order_number=number).select_related("partner")


def order_timeline(*, order: NetworkOrder) -> list[TimelineEntry]:
    events = order_events(number=order.number)
    return [TimelineEntry(event=e, fields=ledger_fields(e.payload)) for e in events]
