"""The verbs that cross between the hub and a partner's schema.

Dispatch writes the work order into the partner's schema through the audited
door, records the dispatch on the hub and appends the hub's decision to the
network ledger, whose projector updates the order board, in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import vocabulary
from orders.vocabulary import ORDER_DISPATCHED
from portal.audit import audit_record
from portal.ledger import DECISION, ledger_append
from tenants.door import partner_schema
from tenants.models import Certification, Partner, Plant

from .hub.models import Dispatch, NetworkOrder, ProductRevision
from .hub.orders.selectors import order_quantity_dispatched


def dispatch_check(*, order: NetworkOrder, plant: Plant, quantity: int) -> None:
    """Everything that makes a dispatch impossible, as messages for the planner."""
    errors = []
    if order.status in (NetworkOrder.Status.SHIPPED,):
        errors.append(_("The order is already shipped."))
    if order.revision.status != ProductRevision.Status.RELEASED:
        errors.append(_("%(revision)s is not released.") % {"revision": order.revision})
    partner = plant.partner
    if partner.status != Partner.Status.ACTIVE:
        errors.append(
            _("%(partner)s is %(status)s.")
            % {"partner": partner, "status": partner.get_status_display().lower()}
        )
    remaining = order.quantity - order_quantity_dispatched(order=order)
    if quantity < 1:
        errors.append(_("Dispatch at least one unit."))
    elif quantity > remaining:
        errors.append(
            _("Only %(remaining)s of %(total)s units are left to dispatch.")
            % {"remaining": remaining, "total": order.quantity}
        )
    needed = {
        op.required_certification
        for op in order.revision.operations.all()
        if op.required_certification
    }
    if order.export_controlled:
        needed.add(Certification.Standard.ITAR)
    for standard in sorted(needed):
        certs = Certification.objects.filter(partner=partner, standard=standard).filter(
            plant__isnull=True
        ) | Certification.objects.filter(partner=partner, standard=standard, plant=plant)
        label = Certification.Standard(standard).label
        if not certs.exists():
            errors.append(
                _("%(plant)s has no %(standard)s certification, which the routing requires.")
                % {"plant": plant.name, "standard": label}
            )
        elif not certs.filter(expires_on__gte=order.due_date).exists():
            latest = certs.order_by("-expires_on").first()
            errors.append(
                _(
                    "%(plant)s's %(standard)s certification expires on %(date)s, "
                    "before the due date."
                )
                % {"plant": plant.name, "standard": label, "date": latest.expires_on.isoformat()}
            )
    if errors:
        raise ValidationError(errors)


def order_dispatch(
    *, order: NetworkOrder, plant: Plant, quantity: int, actor, request=None
) -> Dispatch:
    from .partner.models import WorkOrder, WorkOrderOperation

    with transaction.atomic():
        order = (
            NetworkOrder.objects.select_for_update()
            .select_related("revision__product")
            .get(pk=order.pk)
        )
        dispatch_check(order=order, plant=plant, quantity=quantity)
        partner = plant.partner
        now = timezone.now()
        sequence = order.dispatches.count() + 1
        dispatch = Dispatch.objects.create(
            order=order,
            partner=partner,
            plant=plant,
            quantity=quantity,
            work_order_number=f"{order.number}-{sequence:02d}",
            dispatched_at=now,
            dispatched_by=actor,
        )
        operations = list(order.revision.operations.all())
        with partner_schema(
            partner, actor=actor, reason=f"dispatch {dispatch.work_order_number}", request=request
        ):
            work_order = WorkOrder.objects.create(
                number=dispatch.work_order_number,
                hub_dispatch_id=dispatch.pk,
                order_number=order.number,
                plant_code=plant.code,
                product_code=order.revision.product.code,
                product_name=order.revision.product.name,
                revision=order.revision.revision,
                quantity=quantity,
                due_date=order.due_date,
                export_controlled=order.export_controlled,
                dispatched_at=now,
            )
            WorkOrderOperation.objects.bulk_create(
                WorkOrderOperation(
                    work_order=work_order,
                    sequence=op.sequence,
                    name=op.name,
                    work_centre_type=op.work_centre_type,
                )
                for op in operations
            )
        ledger_append(
            partner=partner,
            kind=vocabulary.DISPATCHED,
            order_number=order.number,
            work_order_number=dispatch.work_order_number,
            actor_label=actor.get_username() if actor else "system",
            groups={
                DECISION: {
                    "plant": plant.code,
                    "quantity": quantity,
                    "due_date": order.due_date.isoformat(),
                }
            },
        )
        audit_record(
            action=ORDER_DISPATCHED,
            actor=actor,
            partner=partner,
            obj=dispatch,
            request=request,
            order=order.number,
            quantity=quantity,
            plant=plant.code,
        )
    return dispatch


def counter_decide(*, dispatch: Dispatch, approve: bool, actor, request=None) -> Dispatch:
    """The hub approves a partner's promised date (the work order is accepted)
    or declines it (the work order is closed as rejected; re-dispatch)."""
    from .partner.models import WorkOrder

    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().select_related("order").get(pk=dispatch.pk)
        if dispatch.status != Dispatch.Status.COUNTER_PROPOSED:
            raise ValidationError(_("There is no counter-proposal to decide on."))
        status = WorkOrder.Status.ACCEPTED if approve else WorkOrder.Status.REJECTED
        with partner_schema(
            dispatch.partner,
            actor=actor,
            request=request,
            reason=f"{'approve' if approve else 'decline'} counter-proposal {dispatch}",
        ):
            work_order = WorkOrder.objects.select_for_update().get(hub_dispatch_id=dispatch.pk)
            work_order.status = status
            if not approve:
                work_order.reject_reason = WorkOrder.RejectReason.OTHER
                work_order.reject_text = _("Counter-proposal declined by the hub.")
            work_order.save(update_fields=["status", "reject_reason", "reject_text"])
        ledger_append(
            partner=dispatch.partner,
            kind=vocabulary.COUNTER_APPROVED if approve else vocabulary.COUNTER_DECLINED,
            order_number=dispatch.order.number,
            work_order_number=dispatch.work_order_number,
            actor_label=actor.get_username() if actor else "system",
            groups={DECISION: {"status": status}},
        )
        dispatch.refresh_from_db()
    return dispatch
