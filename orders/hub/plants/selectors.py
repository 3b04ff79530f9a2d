"""Reads of the plant inputs of plan runs: each partner plant with the hub's copy of
its capacity declaration, its cost model and the counts of its rates and lanes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from tenants.models import Partner, Plant

from ..models.plants import FreightLane, WorkCentreRate


def downtime_dates(downtime: Iterable[dict]) -> list[dict]:
    """A declaration's downtime with dates instead of ISO strings."""
    return [
        {
            **d,
            "start": datetime.date.fromisoformat(d["start"]),
            "end": datetime.date.fromisoformat(d["end"]),
        }
        for d in downtime
    ]


def _count(model, field: str = "plant") -> Coalesce:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def plant_input_list() -> QuerySet[Plant]:
    """Every partner plant with its declared capacity, cost model and counts of rates
    and lanes: one query, whatever the number of plants."""
    return (
        Plant.objects.filter(partner__in=Partner.objects.partners())
        .select_related("partner", "capacity", "cost")
        .annotate(rate_count=_count(WorkCentreRate), lane_count=_count(FreightLane))
        .order_by("partner__name", "name")
    )


def plant_input_get(*, plant_pk: int) -> Plant:
    return get_object_or_404(plant_input_list(), pk=plant_pk)
