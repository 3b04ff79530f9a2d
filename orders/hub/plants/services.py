"""Writes on the plant inputs of plan runs that the hub keeps itself: each plant's
cost model (setup cost, material cost factor, freight per unit and km), hourly rates
per work-centre type and negotiated freight lanes. Each write is one transaction,
under a lock on the plant, and audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orders.vocabulary import PLANT_COST_CHANGED
from portal.audit import audit_record
from tenants.models import Plant

from ..models.plants import FreightLane, PlantCost, WorkCentreRate


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
