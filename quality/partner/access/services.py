"""Granting and revoking a hub user's time-boxed read access to this partner's
raw measurements: a guardian object permission on the grant, audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from portal.audit import PERMISSION_GRANTED, PERMISSION_REVOKED, audit_record
from tenants.models import Partner

from ..models import MeasurementAccess


def measurement_access_grant(
    *, partner: Partner, hub_user, expires_at: datetime.datetime, reason: str, actor, request=None
) -> MeasurementAccess:
    """Let one named hub user read this partner's raw measurements until `expires_at`."""
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The access must end in the future.")})
    if expires_at > now + datetime.timedelta(days=90):
        raise ValidationError({"expires_at": _("Grant access for at most 90 days.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hub needs the raw data.")})
    with transaction.atomic():
        grant = MeasurementAccess.objects.create(
            user_id=hub_user.pk,
            user_label=hub_user.get_username(),
            reason=reason,
            expires_at=expires_at,
            granted_by_label=actor.get_username(),
        )
        assign_perm("quality_partner.read_measurements", hub_user, grant)
        audit_record(
            action=PERMISSION_GRANTED,
            actor=actor,
            partner=partner,
            obj=grant,
            request=request,
            user=hub_user.get_username(),
            permission="read_measurements",
            expires_at=expires_at.isoformat(),
        )
    return grant


def measurement_access_revoke(
    *, partner: Partner, grant: MeasurementAccess, hub_user, actor, request=None
) -> None:
    with transaction.atomic():
        grant = MeasurementAccess.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            return
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        remove_perm("quality_partner.read_measurements", hub_user, grant)
        audit_record(
            action=PERMISSION_REVOKED,
            actor=actor,
            partner=partner,
            obj=grant,
            request=request,
            user=grant.user_label,
            permission="read_measurements",
        )
