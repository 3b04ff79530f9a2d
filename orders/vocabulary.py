"""Orders' words on the network ledger and in the audit log.

The ledger kinds are a work order's life as the hub sees it: the hub's dispatch
and counter-proposal decisions, and what the partner publishes (answers,
progress, shipments) and declares (plant capacity). The projectors in
`orders.hub.projectors` keep the order board and the hub's capacity copies from
them.
"""

from django.utils.translation import gettext_lazy as _

from portal.vocabulary import audit_action, ledger_kind

# Ledger event kinds
DISPATCHED = ledger_kind("dispatched", _("Dispatched"))
ACCEPTED = ledger_kind("accepted", _("Accepted"))
REJECTED = ledger_kind("rejected", _("Rejected"))
COUNTER_PROPOSED = ledger_kind("counter_proposed", _("Counter-proposed"))
COUNTER_APPROVED = ledger_kind("counter_approved", _("Counter-proposal approved"))
COUNTER_DECLINED = ledger_kind("counter_declined", _("Counter-proposal declined"))
PROGRESS = ledger_kind("progress", _("Progress reported"))
SHIPPED = ledger_kind("shipped", _("Shipped"))
CAPACITY_PUBLISHED = ledger_kind("capacity.declared", _("Capacity declared"))

# Audit actions
ORDER_DISPATCHED = audit_action("order.dispatched", _("Order dispatched"))
PRODUCT_RELEASED = audit_action("product.released", _("Product revision released"))
PRODUCT_IMPORTED = audit_action("product.imported", _("Product definitions imported"))
CAPACITY_DECLARED = audit_action("capacity.declared", _("Capacity declaration changed"))
PLANT_COST_CHANGED = audit_action("plant_cost.changed", _("Plant cost model changed"))
PLAN_STARTED = audit_action("plan.started", _("Plan started"))
PLAN_CANCELLED = audit_action("plan.cancelled", _("Plan cancelled"))
PLAN_APPROVED = audit_action("plan.approved", _("Plan approved and dispatched"))
