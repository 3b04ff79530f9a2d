"""Publishing to the network ledger, and the hub projections kept from it.

`ledger_publish` is called inside the transaction of the change it records:
if that transaction rolls back, the event and the projection roll back too.
"""

from __future__ import annotations

from django.db.models import Sum

from portal.models import LedgerEvent
from tenants.models import DataSharingAgreement, Partner

from .hub.models import Dispatch, NetworkOrder


def released(partner: Partner, groups: dict[str, dict]) -> dict:
    """Keep only the groups of fields the partner's agreement releases."""
    allowed = DataSharingAgreement.releases_for(partner)
    payload: dict = {}
    for group, fields in groups.items():
        if group in allowed:
            payload.update(fields)
    return payload


def ledger_publish(
    *,
    partner: Partner,
    kind: str,
    dispatch_id: int,
    groups: dict[str, dict],
    actor_label: str,
    projection: dict | None = None,
) -> LedgerEvent:
    """Append one event with the released fields, then update the projections.

    `projection` holds what the hub needs to show status and % complete (it is
    status and quantities only, which every agreement releases at least).
    """
    # Locks the dispatch and its order: the order's projection sums all its dispatches.
    dispatch = Dispatch.objects.select_for_update().select_related("order").get(pk=dispatch_id)
    event = LedgerEvent.objects.create(
        partner=partner,
        kind=kind,
        order_number=dispatch.order.number,
        work_order_number=dispatch.work_order_number,
        actor_label=actor_label,
        payload=released(partner, groups),
    )
    if projection:
        for field, value in projection.items():
            setattr(dispatch, field, value)
        dispatch.save(update_fields=list(projection))
        order_projection_refresh(order=dispatch.order)
    return event


ORDER_STATUS_BY_PRECEDENCE = [
    # The order shows the most advanced state among its live dispatches.
    (Dispatch.Status.IN_PROGRESS, NetworkOrder.Status.IN_PROGRESS),
    (Dispatch.Status.ACCEPTED, NetworkOrder.Status.ACCEPTED),
    (Dispatch.Status.COUNTER_PROPOSED, NetworkOrder.Status.DISPATCHED),
    (Dispatch.Status.DISPATCHED, NetworkOrder.Status.DISPATCHED),
]


def order_projection_refresh(*, order: NetworkOrder) -> NetworkOrder:
    """Recompute the order's status and quantities from its dispatches.

    The caller holds the order's row lock (`ledger_publish` locks it with the
    dispatch, `order_dispatch` before it writes), so two partners reporting on
    one order at once cannot each write a sum that misses the other's change.
    % complete is each live dispatch's routing-weighted % complete, weighted by
    its share of the order's quantity.
    """
    dispatches = list(order.dispatches.all())
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
    projection = {
        "status": status,
        "good_quantity": sum(d.good_quantity for d in live),
        "shipped_quantity": shipped,
        "percent_complete": min(
            100, round(sum(d.percent_complete * d.quantity for d in live) / order.quantity)
        ),
    }
    changed = [f for f, value in projection.items() if getattr(order, f) != value]
    if changed:
        for field in changed:
            setattr(order, field, projection[field])
        order.save(update_fields=changed)
    return order


def order_quantity_dispatched(*, order: NetworkOrder) -> int:
    return (
        order.dispatches.exclude(status=Dispatch.Status.REJECTED).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )
