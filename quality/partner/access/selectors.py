"""Reads of the hub's access grants to raw measurements."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from guardian.shortcuts import get_perms

from ..models import MeasurementAccess


def measurement_access_active(*, user) -> MeasurementAccess | None:
    """The running grant that lets this (hub) user read raw measurements here, if any."""
    now = timezone.now()
    for grant in MeasurementAccess.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, expires_at__gt=now
    ):
        if "read_measurements" in get_perms(user, grant):
            return grant
    return None


def measurement_access_list() -> QuerySet[MeasurementAccess]:
    return MeasurementAccess.objects.order_by("-granted_at", "-id")


def measurement_access_get(*, pk: int) -> MeasurementAccess:
    return get_object_or_404(MeasurementAccess, pk=pk)


def hub_user_of(grant: MeasurementAccess):
    """The hub user the grant names, or None if that user no longer exists."""
    return get_user_model().objects.filter(pk=grant.user_id).first()
