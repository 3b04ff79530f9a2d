"""Export control: an export-controlled order is seen only by users cleared for it.

Clearance is a guardian object permission (`orders_hub.view_networkorder`) on
the order, kept in the public schema beside it. The network admin is the
clearance authority: sees every order and grants or revokes clearance to hub
members, each change audited. Whoever creates an export-controlled order is
cleared for it. Everyone else finds no trace of the order on the hub: not on
the board, in its CSV, on a detail page (404) or in the API.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm

from portal.audit import PERMISSION_GRANTED, PERMISSION_REVOKED, audit_record
from portal.models import User
from tenants.models import HUB_ROLES, Membership, Role

from ..models.orders import NetworkOrder

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
