"""Reads of a partner's API keys, on its own host only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApiKey


def api_key_list(*, partner) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(partner=partner).select_related("created_by")


def api_key_get(*, partner, pk: int) -> ApiKey:
    return get_object_or_404(ApiKey, partner=partner, pk=pk)
