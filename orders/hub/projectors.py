"""The hub's order and capacity read models, kept from the network ledger.

`DispatchProjector` keeps each dispatch's status, answer, good and shipped
quantities and % complete from the events of its work order, and each network
order's status and totals from its dispatches. `CapacityProjector` keeps the
hub's copy of each plant's capacity declaration. Both run in the transaction of
the event (portal.ledger), and rebuild from the ledger alone.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict

from django.db.models import F, Max

from orders import vocabulary as kinds
from portal.bulk import rows_update
from portal.ledger import Projector, of_partners, payload_time
from portal.models import LedgerEvent

from .models import Dispatch, NetworkOrder, Operation, PlantCapacity

DISPATCH_FIELDS = (
    "status",
    "answered_at",
    "promised_date",
    "good_quantity",
    "shipped_quantity",
    "percent_complete",
)
ORDER_FIELDS = ("status", "good_quantity", "shipped_quantity", "percent_complete")

ORDER_STATUS_BY_PRECEDENCE = [
    # The order shows the most advanced state among its live dispatches.
    (Dispatch.Status.IN_PROGRESS, NetworkOrder.Status.IN_PROGRESS),
    (Dispatch.Status.ACCEPTED, NetworkOrder.Status.ACCEPTED),
    (Dispatch.Status.COUNTER_PROPOSED, NetworkOrder.Status.DISPATCHED),
    (Dispatch.Status.DISPATCHED, NetworkOrder.Status.DISPATCHED),
]


def order_projection(order: NetworkOrder, dispatches) -> dict:
    """The order's status and quantities from its dispatches. % complete is each
    live dispatch's routing-weighted % complete, weighted by its share of the
    order's quantity."""
    live = [d for d in dispatches if d.status != Dispatch.Status.REJECTED]
    shipped = sum(d.shipped_quantity for d in live)
    if not dispatches:
        status = NetworkOrder.Status.DRAFT
    elif not live:
        status = NetworkOrder.Status.REJECTED
    elif shipped >= order.quantity:
        status = NetworkOrder.Status.SHIPPED
    else:
        statuses = {d.status for d in live}
        status = next(
            (
                order_status
                for dispatch_status, order_status in ORDER_STATUS_BY_PRECEDENCE
                if dispatch_status in statuses
            ),
            NetworkOrder.Status.IN_PROGRESS,  # some shipped, the rest still open
        )
    return {
        "status": status,
        "good_quantity": sum(d.good_quantity for d in live),
        "shipped_quantity": shipped,
        "percent_complete": min(
            100, round(sum(d.percent_complete * d.quantity for d in live) / order.quantity)
        ),
    }


def _set_changed(obj, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def order_projection_refresh(*, order: NetworkOrder) -> NetworkOrder:
    """Recompute one order's projection from its dispatches and save what changed.

    The caller holds the order's row lock (the dispatch projector locks it with
    the dispatch, `order_dispatch` before it writes), so two partners reporting
    on one order at once cannot each write a sum that misses the other's change.
    """
    changed = _set_changed(order, order_projection(order, list(order.dispatches.all())))
    if changed:
        order.save(update_fields=changed)
    return order


def _orders_of(partner_ids):
    """The orders whose projection a rebuild of these partners recomputes: those
    with a dispatch to one of them (None: every order)."""
    orders = of_partners(NetworkOrder.objects.all(), partner_ids, "dispatches__partner")
    return orders if partner_ids is None else orders.distinct()


class DispatchProjector(Projector):
    """Dispatch and network order status, answers and quantities."""

    name = "orders"
    kinds = frozenset(
        {
            kinds.DISPATCHED,
            kinds.ACCEPTED,
            kinds.COUNTER_PROPOSED,
            kinds.REJECTED,
            kinds.COUNTER_APPROVED,
            kinds.COUNTER_DECLINED,
            kinds.PROGRESS,
            kinds.SHIPPED,
        }
    )

    def __init__(self, *, rebuilding: bool = False):
        super().__init__(rebuilding=rebuilding)
        self.dispatches: dict[str, Dispatch] = {}
        self.last_operation: dict[int, int] = {}  # revision id -> last routing sequence
        self.order_ids: set[int] | None = None  # rebuilding: the orders to recompute

    def reset(self, partner_ids):
        """Load the dispatches in scope with their projection emptied; `flush`
        writes them back with what the events made of them."""
        dispatches = of_partners(
            Dispatch.objects.only("work_order_number", "order_id"), partner_ids
        ).annotate(revision_id=F("order__revision_id"))
        empty = {f: Dispatch._meta.get_field(f).get_default() for f in DISPATCH_FIELDS}
        for dispatch in dispatches:
            for name, value in empty.items():
                setattr(dispatch, name, value)
            self.dispatches[dispatch.work_order_number] = dispatch
        self.last_operation = dict(
            Operation.objects.values_list("revision_id").annotate(last=Max("sequence"))
        )
        self.order_ids = set(_orders_of(partner_ids).values_list("pk", flat=True))

    def _dispatch(self, number: str) -> Dispatch:
        if self.rebuilding:
            return self.dispatches[number]
        # Locks the dispatch and its order: the order's projection sums all its dispatches.
        dispatch = (
            Dispatch.objects.select_for_update()
            .select_related("order")
            .get(work_order_number=number)
        )
        dispatch.revision_id = dispatch.order.revision_id
        self.dispatches[number] = dispatch
        return dispatch

    def _last_sequence(self, dispatch: Dispatch) -> int | None:
        revision_id = dispatch.revision_id
        if revision_id not in self.last_operation:
            self.last_operation[revision_id] = Operation.objects.filter(
                revision_id=revision_id
            ).aggregate(last=Max("sequence"))["last"]
        return self.last_operation[revision_id]

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        dispatch = self._dispatch(event.work_order_number)
        kind = event.kind
        if kind == kinds.DISPATCHED:
            dispatch.status = Dispatch.Status.DISPATCHED
            return
        dispatch.status = payload["status"]
        if kind in (kinds.ACCEPTED, kinds.COUNTER_PROPOSED):
            dispatch.promised_date = datetime.date.fromisoformat(payload["promised_date"])
            dispatch.answered_at = payload_time(payload["answered_at"])
        elif kind == kinds.REJECTED:
            dispatch.answered_at = payload_time(payload["answered_at"])
        elif kind == kinds.PROGRESS:
            dispatch.percent_complete = payload["percent_complete"]
            if payload["operation"] == self._last_sequence(dispatch):
                # The dispatch's good quantity is what its last operation finished.
                dispatch.good_quantity += payload["good"]
        elif kind == kinds.SHIPPED:
            dispatch.shipped_quantity = payload["shipped_total"]

    def flush(self) -> None:
        if not self.rebuilding:
            for dispatch in self.dispatches.values():
                dispatch.save(update_fields=list(DISPATCH_FIELDS))
                order_projection_refresh(order=dispatch.order)
            return
        rows_update(Dispatch, self.dispatches.values(), DISPATCH_FIELDS)
        by_order: dict[int, list[Dispatch]] = defaultdict(list)
        for dispatch in Dispatch.objects.filter(order_id__in=self.order_ids).only(
            "order_id",
            "status",
            "quantity",
            "good_quantity",
            "shipped_quantity",
            "percent_complete",
        ):
            by_order[dispatch.order_id].append(dispatch)
        changed_orders = []
        for order in NetworkOrder.objects.filter(pk__in=self.order_ids).only(
            "quantity", *ORDER_FIELDS
        ):
            if _set_changed(order, order_projection(order, by_order[order.pk])):
                changed_orders.append(order)
        rows_update(NetworkOrder, changed_orders, ORDER_FIELDS)

    def rows(self, partner_ids):
        dispatches = of_partners(Dispatch.objects.order_by("work_order_number"), partner_ids)
        orders = _orders_of(partner_ids).order_by("number")
        return [
            ("dispatch", *row)
            for row in dispatches.values_list("work_order_number", *DISPATCH_FIELDS)
        ] + [("order", *row) for row in orders.values_list("number", *ORDER_FIELDS)]


class CapacityProjector(Projector):
    """The hub's copy of each plant's capacity declaration, while released."""

    name = "capacity"
    kinds = frozenset({kinds.CAPACITY_PUBLISHED})

    def reset(self, partner_ids):
        of_partners(PlantCapacity.objects.all(), partner_ids, "plant__partner").delete()

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        if "plant" not in payload:
            return  # capacity withdrawn since
        declaration = {name: payload[name] for name in ("work_centres", "capabilities", "downtime")}
        if not any(declaration.values()):
            # A plant that declares nothing has no copy on the hub ("not declared").
            PlantCapacity.objects.filter(plant_id=payload["plant"]).delete()
            return
        PlantCapacity.objects.update_or_create(
            plant_id=payload["plant"],
            defaults={
                **declaration,
                "declared_at": event.at,
                "declared_by_label": event.actor_label,
            },
        )

    def rows(self, partner_ids):
        copies = of_partners(
            PlantCapacity.objects.order_by("plant_id"), partner_ids, "plant__partner"
        )
        return [
            (row[0], *(json.dumps(v, sort_keys=True) for v in row[1:4]), *row[4:])
            for row in copies.values_list(
                "plant_id",
                "work_centres",
                "capabilities",
                "downtime",
                "declared_at",
                "declared_by_label",
            )
        ]


PROJECTORS = [DispatchProjector, CapacityProjector]
