"""A partner's verbs on its work orders. Each runs in the partner's schema (the
request's host), takes that partner explicitly, and appends its event to the
network ledger in the same transaction, with what the data-sharing agreement
releases (portal.ledger)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import vocabulary
from portal.ledger import ledger_append
from tenants.models import Partner

from .models import ProgressReport, Shipment, WorkOrder, WorkOrderOperation


def routing_percent(operations, quantity: int) -> int:
    """Share of the routing's work done: good units over all operations, so
    two of four operations finished is 50 %."""
    if not operations or not quantity:
        return 0
    done = sum(min(op.good_quantity, quantity) for op in operations)
    return min(100, round(100 * done / (quantity * len(operations))))


def _locked(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=work_order.pk)


def _refuse(message: str):
    raise ValidationError(message, code="invalid_transition")


def work_order_accept(
    *,
    partner: Partner,
    work_order: WorkOrder,
    user,
    promised_date: datetime.date | None = None,
) -> WorkOrder:
    """Accept; a promised date other than the due date is a counter-proposal
    that the hub approves or declines."""
    with transaction.atomic():
        work_order = _locked(work_order)
        if work_order.status != WorkOrder.Status.DISPATCHED:
            _refuse(
                _(
                    "Work order %(wo)s is %(status)s; "
                    "only a work order awaiting an answer can be accepted."
                )
                % {"wo": work_order, "status": work_order.get_status_display().lower()}
            )
        if promised_date is not None and promised_date < timezone.localdate():
            raise ValidationError({"promised_date": _("The promised date is in the past.")})
        counter = promised_date is not None and promised_date != work_order.due_date
        work_order.status = (
            WorkOrder.Status.COUNTER_PROPOSED if counter else WorkOrder.Status.ACCEPTED
        )
        work_order.promised_date = promised_date or work_order.due_date
        work_order.answered_at = timezone.now()
        work_order.save(update_fields=["status", "promised_date", "answered_at"])
        ledger_append(
            partner=partner,
            order_number=work_order.order_number,
            work_order_number=work_order.number,
            kind=vocabulary.COUNTER_PROPOSED if counter else vocabulary.ACCEPTED,
            groups={
                "status": {
                    "status": work_order.status,
                    "promised_date": work_order.promised_date.isoformat(),
                    "answered_at": work_order.answered_at.isoformat(),
                }
            },
            actor_label=user.get_username(),
        )
    return work_order


def work_order_reject(
    *, partner: Partner, work_order: WorkOrder, user, reason: str, text: str = ""
) -> WorkOrder:
    if reason not in WorkOrder.RejectReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == WorkOrder.RejectReason.OTHER and not text.strip():
        raise ValidationError({"text": _("Say why when the reason is “other”.")})
    with transaction.atomic():
        work_order = _locked(work_order)
        if work_order.status != WorkOrder.Status.DISPATCHED:
            _refuse(
                _(
                    "Work order %(wo)s is %(status)s; "
                    "only a work order awaiting an answer can be rejected."
                )
                % {"wo": work_order, "status": work_order.get_status_display().lower()}
            )
        work_order.status = WorkOrder.Status.REJECTED
        work_order.reject_reason = reason
        work_order.reject_text = text.strip()
        work_order.answered_at = timezone.now()
        work_order.save(update_fields=["status", "reject_reason", "reject_text", "answered_at"])
        ledger_append(
            partner=partner,
            order_number=work_order.order_number,
            work_order_number=work_order.number,
            kind=vocabulary.REJECTED,
            groups={
                "status": {
                    "status": work_order.status,
                    "reason": reason,
                    "answered_at": work_order.answered_at.isoformat(),
                },
                "notes": {"reason_text": work_order.reject_text},
            },
            actor_label=user.get_username(),
        )
    return work_order


def progress_report(
    *,
    partner: Partner,
    operation: WorkOrderOperation,
    user,
    good_quantity: int,
    scrap_quantity: int = 0,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    notes: str = "",
    share_notes: bool = False,
) -> ProgressReport:
    """Record good and scrap quantity on one operation.

    The work order's operations are locked in sequence order, so two operators
    reporting at once are serialised and neither report is lost; an operation
    never processes more than the previous one released.
    """
    if good_quantity < 0 or scrap_quantity < 0:
        raise ValidationError(_("Quantities cannot be negative."))
    if good_quantity + scrap_quantity == 0:
        raise ValidationError(_("Report at least one good or scrapped unit."))
    if finished_at < started_at:
        raise ValidationError({"finished_at": _("The finish is before the start.")})
    if finished_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"finished_at": _("The finish is in the future.")})
    with transaction.atomic():
        work_order = _locked(operation.work_order)
        if work_order.status not in (WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS):
            _refuse(
                _("Progress can be reported only on an accepted work order; %(wo)s is %(status)s.")
                % {"wo": work_order, "status": work_order.get_status_display().lower()}
            )
        operations = list(
            WorkOrderOperation.objects.select_for_update()
            .filter(work_order=work_order)
            .order_by("sequence")
        )
        index = next(i for i, op in enumerate(operations) if op.pk == operation.pk)
        current = operations[index]
        released = work_order.quantity if index == 0 else operations[index - 1].good_quantity
        available = released - current.good_quantity - current.scrap_quantity
        if good_quantity + scrap_quantity > available:
            raise ValidationError(
                _(
                    "Operation %(op)s can take %(available)s more units "
                    "(%(released)s released by the previous step, %(done)s already reported)."
                )
                % {
                    "op": current,
                    "available": available,
                    "released": released,
                    "done": current.good_quantity + current.scrap_quantity,
                }
            )
        report = ProgressReport.objects.create(
            operation=current,
            good_quantity=good_quantity,
            scrap_quantity=scrap_quantity,
            started_at=started_at,
            finished_at=finished_at,
            notes=notes,
            share_notes=share_notes,
            reported_by_id=user.pk,
            reported_by_label=user.get_username(),
        )
        current.good_quantity += good_quantity
        current.scrap_quantity += scrap_quantity
        current.save(update_fields=["good_quantity", "scrap_quantity"])
        if work_order.status == WorkOrder.Status.ACCEPTED:
            work_order.status = WorkOrder.Status.IN_PROGRESS
            work_order.save(update_fields=["status"])
        percent = routing_percent(operations, work_order.quantity)
        groups = {
            "status": {"status": work_order.status, "operation": current.sequence},
            "quantities": {
                "good": good_quantity,
                "scrap": scrap_quantity,
                "percent_complete": percent,
            },
            "dates": {"started_at": started_at.isoformat(), "finished_at": finished_at.isoformat()},
        }
        if share_notes and notes:
            groups["notes"] = {"notes": notes}
        ledger_append(
            partner=partner,
            order_number=work_order.order_number,
            work_order_number=work_order.number,
            kind=vocabulary.PROGRESS,
            groups=groups,
            actor_label=user.get_username(),
        )
    return report


def shipment_create(
    *,
    partner: Partner,
    work_order: WorkOrder,
    user,
    quantity: int,
    carrier: str,
    tracking_number: str,
    lots: str = "",
) -> Shipment:
    if quantity < 1:
        raise ValidationError({"quantity": _("Ship at least one unit.")})
    with transaction.atomic():
        work_order = _locked(work_order)
        if work_order.status not in (WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS):
            _refuse(
                _("Only an accepted work order can ship; %(wo)s is %(status)s.")
                % {"wo": work_order, "status": work_order.get_status_display().lower()}
            )
        last = work_order.operations.select_for_update().order_by("-sequence").first()
        finished = last.good_quantity if last else 0
        available = finished - work_order.shipped_quantity
        if quantity > available:
            raise ValidationError(
                {
                    "quantity": _("%(available)s finished units are ready to ship.")
                    % {"available": available}
                }
            )
        shipment = Shipment.objects.create(
            work_order=work_order,
            quantity=quantity,
            lots=lots,
            carrier=carrier,
            tracking_number=tracking_number,
            shipped_by_id=user.pk,
            shipped_by_label=user.get_username(),
        )
        work_order.shipped_quantity += quantity
        if work_order.shipped_quantity >= work_order.quantity:
            work_order.status = WorkOrder.Status.SHIPPED
        work_order.save(update_fields=["shipped_quantity", "status"])
        ledger_append(
            partner=partner,
            order_number=work_order.order_number,
            work_order_number=work_order.number,
            kind=vocabulary.SHIPPED,
            groups={
                "status": {"status": work_order.status},
                "quantities": {"shipped": quantity, "shipped_total": work_order.shipped_quantity},
                "shipping": {"carrier": carrier, "tracking_number": tracking_number, "lots": lots},
            },
            actor_label=user.get_username(),
        )
    return shipment
