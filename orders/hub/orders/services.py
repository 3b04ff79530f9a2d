"""Writes on network orders (hub data only): creating an order, and the network
admin's export-control clearances. Dispatch and the decisions on counter-proposals
cross into partner schemas: they are `orders.services`'."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from portal.audit import PERMISSION_GRANTED, PERMISSION_REVOKED, audit_record

from ..models.orders import NetworkOrder
from ..models.products import ProductRevision
from .selectors import CODENAME, PERMISSION, clearance_candidates


def order_create(*, actor, number: str | None = None, **fields) -> NetworkOrder:
    revision = fields["revision"]
    if revision.status != ProductRevision.Status.RELEASED:
        raise ValidationError(
            {"revision": _("%(revision)s is not released.") % {"revision": revision}}
        )
    if fields["due_date"] < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    with transaction.atomic():
        order = NetworkOrder(created_by=actor, **fields)
        order.number = number or _next_order_number()
        order.full_clean()
        order.save()
        creator_clear(order=order, actor=actor)
    return order


def _next_order_number() -> str:
    year = timezone.now().year
    prefix = f"NO-{year}-"
    last = (
        NetworkOrder.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:05d}"


# --- Export control (see selectors: who sees an export-controlled order) ---------------


def clearance_grant(*, order: NetworkOrder, user, actor, request=None) -> None:
    if not order.export_controlled:
        raise ValidationError(
            _("%(order)s is not export-controlled: every hub member sees it.") % {"order": order}
        )
    if not clearance_candidates(order).filter(pk=user.pk).exists():
        raise ValidationError(
            _("%(user)s is not an active hub member, or is already cleared.")
            % {"user": user.get_username()}
        )
    with transaction.atomic():
        assign_perm(PERMISSION, user, order)
        audit_record(
            action=PERMISSION_GRANTED,
            actor=actor,
            obj=order,
            request=request,
            user=user.get_username(),
            permission=CODENAME,
            reason="export control clearance",
        )


def clearance_revoke(*, order: NetworkOrder, user, actor, request=None) -> None:
    with transaction.atomic():
        remove_perm(PERMISSION, user, order)
        audit_record(
            action=PERMISSION_REVOKED,
            actor=actor,
            obj=order,
            request=request,
            user=user.get_username(),
            permission=CODENAME,
            reason="export control clearance",
        )


def creator_clear(*, order: NetworkOrder, actor) -> None:
    """The planner who creates an export-controlled order is cleared for it, so
    that the order does not vanish from its own creator's board."""
    if order.export_controlled and getattr(actor, "is_authenticated", False):
        assign_perm(PERMISSION, actor, order)
