"""The planning inputs the hub keeps itself: each plant's cost model (setup cost,
material cost factor, freight per unit and km), hourly rates per work-centre type,
negotiated freight lanes, and the planning fields of products.

Reads first (shared by the pages and the API), then the writes: each one
transaction, under a lock on the plant or product, and audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orders.vocabulary import PLANT_COST_CHANGED
from portal.audit import audit_record
from tenants.models import Partner, Plant

from ..models.plants import FreightLane, PlantCost, WorkCentreRate
from ..models.products import Operation, Product, ProductRevision

# --- Reads ------------------------------------------------------------------------------------


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


def routing_work_centre_types() -> list[str]:
    """The work-centre types the routings of released revisions use."""
    return list(
        Operation.objects.filter(revision__status=ProductRevision.Status.RELEASED)
        .order_by("work_centre_type")
        .values_list("work_centre_type", flat=True)
        .distinct()
    )


def routing_capabilities() -> list[str]:
    """The capabilities the routings of released revisions require."""
    return list(
        Operation.objects.filter(revision__status=ProductRevision.Status.RELEASED)
        .exclude(required_capability="")
        .order_by("required_capability")
        .values_list("required_capability", flat=True)
        .distinct()
    )


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


# --- Writes: a plant's cost model ---------------------------------------------------------


def _plant_cost_change(
    *, plant: Plant, actor, request, change: str, write: Callable[[], tuple[Any, dict]]
) -> Any:
    """Lock the plant, run `write` (which returns its result and what to audit about
    it), audit: all of it or nothing."""
    try:
        with transaction.atomic():
            Plant.objects.select_for_update().filter(pk=plant.pk).first()
            result, detail = write()
            audit_record(
                action=PLANT_COST_CHANGED,
                actor=actor,
                partner=plant.partner,
                obj=plant,
                request=request,
                change=change,
                plant=plant.code,
                **detail,
            )
    except IntegrityError as exc:  # a concurrent change took the same type or country
        raise ValidationError(
            _("Someone changed this plant's costs at the same time; try again.")
        ) from exc
    return result


def _values(row, names: Iterable[str]) -> dict[str, str] | None:
    return {name: str(getattr(row, name)) for name in names} if row is not None else None


def _row_set(*, model, plant: Plant, pk: int | None, fields: dict[str, Any]) -> tuple[Any, dict]:
    """Write `fields` on the plant's row `pk` of `model`, or on a new row (no `pk`)."""
    current = model.objects.get(pk=pk, plant=plant) if pk is not None else None
    old = _values(current, fields)
    row = current or model(plant=plant)
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row, {"old": old, "new": _values(row, fields)}


def plant_cost_set(
    *,
    plant: Plant,
    setup_cost: Decimal,
    material_cost_factor: Decimal,
    freight_per_unit_km: Decimal,
    actor,
    request=None,
) -> PlantCost:
    """Set the plant's cost model (creating it the first time)."""
    fields = {
        "setup_cost": setup_cost,
        "material_cost_factor": material_cost_factor,
        "freight_per_unit_km": freight_per_unit_km,
    }

    def write():
        existing = PlantCost.objects.filter(plant=plant).values_list("pk", flat=True).first()
        return _row_set(model=PlantCost, plant=plant, pk=existing, fields=fields)

    return _plant_cost_change(
        plant=plant, actor=actor, request=request, change="cost_model", write=write
    )


def work_centre_rate_save(
    *,
    plant: Plant,
    work_centre_type: str,
    hourly_rate: Decimal,
    actor,
    request=None,
    rate: WorkCentreRate | None = None,
) -> WorkCentreRate:
    """Add an hourly rate for a work-centre type of the plant, or change `rate`."""
    fields = {"work_centre_type": work_centre_type.strip(), "hourly_rate": hourly_rate}
    return _plant_cost_change(
        plant=plant,
        actor=actor,
        request=request,
        change="rate.changed" if rate else "rate.added",
        write=lambda: _row_set(
            model=WorkCentreRate, plant=plant, pk=rate.pk if rate else None, fields=fields
        ),
    )


def freight_lane_save(
    *,
    plant: Plant,
    destination_country: str,
    freight_per_unit: Decimal,
    actor,
    request=None,
    lane: FreightLane | None = None,
) -> FreightLane:
    """Add a negotiated freight rate from the plant to a country, or change `lane`."""
    fields = {"destination_country": destination_country, "freight_per_unit": freight_per_unit}
    return _plant_cost_change(
        plant=plant,
        actor=actor,
        request=request,
        change="lane.changed" if lane else "lane.added",
        write=lambda: _row_set(
            model=FreightLane, plant=plant, pk=lane.pk if lane else None, fields=fields
        ),
    )


REMOVABLE = {
    WorkCentreRate: ("rate", ("work_centre_type", "hourly_rate")),
    FreightLane: ("lane", ("destination_country", "freight_per_unit")),
}


def plant_cost_row_remove(*, row: WorkCentreRate | FreightLane, actor, request=None) -> None:
    """Remove an hourly rate or a freight lane of a plant."""
    kind, names = REMOVABLE[type(row)]

    def write():
        old = _values(row, names)
        row.delete()
        return None, {"old": old}

    _plant_cost_change(
        plant=row.plant, actor=actor, request=request, change=f"{kind}.removed", write=write
    )


# --- Writes: a product's planning fields ------------------------------------------------------


def product_planning_set(
    *,
    product: Product,
    material_cost_per_unit: Decimal,
    approved_plants: Iterable[Plant],
) -> Product:
    """The product's standard material cost per unit and the plants approved to make
    it (none: any plant with the certifications and capabilities the routing needs)."""
    plants = list(approved_plants)
    hub_plants = Plant.objects.filter(
        pk__in=[p.pk for p in plants], partner__in=Partner.objects.partners()
    )
    if hub_plants.count() != len({p.pk for p in plants}):
        raise ValidationError({"approved_plants": _("Choose plants of partners in the network.")})
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        product.material_cost_per_unit = material_cost_per_unit
        product.full_clean(validate_unique=False, validate_constraints=False)
        product.save(update_fields=["material_cost_per_unit"])
        product.approved_plants.set(plants)
    return product
