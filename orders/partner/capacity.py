"""A partner's capacity declaration: work centres, capabilities and planned downtime
of its plants, kept in its own schema and published to the hub.

Every change runs in the partner's schema (the request's host) and, in the same
transaction, republishes the plant's whole declaration to the hub's
`PlantCapacity` row when the partner's data-sharing agreement releases
`capacity`, and records the change in the audit log. Withdrawing `capacity`
from the agreement deletes the hub's copies (`capacity_release_changed`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.hub.models import PlantCapacity
from portal.audit import audit_record
from portal.models import AuditEntry
from tenants.models import DataSharingAgreement, Partner, Plant

from .models import Downtime, PlantCapability, WorkCentre
from .services import _partner

RELEASE = DataSharingAgreement.Release.CAPACITY


# --- Reads --------------------------------------------------------------------------------


def plants_of(partner: Partner):
    """The partner's hub plants, the only ones it may declare capacity for."""
    return Plant.objects.filter(partner=partner).order_by("name")


def declaration_json(plant_id: int) -> dict[str, list]:
    """The plant's declaration as the hub keeps it (PlantCapacity's JSON fields)."""
    return {
        "work_centres": [
            {
                "type": wc.work_centre_type,
                "count": wc.count,
                "hours_per_day": float(wc.hours_per_day),
                "efficiency": float(wc.efficiency),
            }
            for wc in WorkCentre.objects.filter(plant_id=plant_id).order_by("work_centre_type")
        ],
        "capabilities": sorted(
            PlantCapability.objects.filter(plant_id=plant_id).values_list("name", flat=True)
        ),
        "downtime": [
            {"start": d.start.isoformat(), "end": d.end.isoformat(), "reason": d.reason}
            for d in Downtime.objects.filter(plant_id=plant_id).order_by("start", "end")
        ],
    }


def capacity_released(partner: Partner) -> bool:
    return RELEASE in DataSharingAgreement.releases_for(partner)


# --- Publishing -----------------------------------------------------------------------------


def capacity_publish(*, partner: Partner, plant_id: int, actor_label: str) -> PlantCapacity | None:
    """Copy the plant's whole declaration to the hub if the agreement releases it.

    A plant that declares nothing has no copy on the hub ("not declared"), and
    neither has any plant of a partner that does not release capacity.
    """
    hub_copy = PlantCapacity.objects.filter(plant_id=plant_id)
    if not capacity_released(partner):
        hub_copy.delete()
        return None
    declaration = declaration_json(plant_id)
    if not any(declaration.values()):
        hub_copy.delete()
        return None
    capacity, _created = PlantCapacity.objects.update_or_create(
        plant_id=plant_id,
        defaults={
            **declaration,
            "declared_at": timezone.now(),
            "declared_by_label": actor_label,
        },
    )
    return capacity


def capacity_release_changed(
    *, partner: Partner, old: Iterable[str], new: Iterable[str], actor_label: str = ""
) -> None:
    """The agreement changed (in its transaction): a withdrawal deletes the hub's
    copies of the partner's plants; a new release publishes what is declared
    (from the partner's own schema: the sharing page runs on its host)."""
    was, now = RELEASE in set(old), RELEASE in set(new)
    if was and not now:
        PlantCapacity.objects.filter(plant__partner=partner).delete()
    elif now and not was and connection.schema_name == partner.schema_name:
        for plant_id in plants_of(partner).values_list("pk", flat=True):
            capacity_publish(partner=partner, plant_id=plant_id, actor_label=actor_label)


def _sharing_changed(sender, *, partner, old, new, actor=None, **kwargs) -> None:
    """Receives tenants.sharing.releases_changed (connected in apps.py)."""
    label = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    capacity_release_changed(partner=partner, old=old, new=new, actor_label=label)


# --- Writes -----------------------------------------------------------------------------------


def _declare(*, plant_id: int, user, change: str, write: Callable[[], Any], **detail: Any) -> Any:
    """Lock the plant (one change per plant at a time), check that it is this
    partner's, run `write`, publish and audit: all of it or nothing."""
    partner = _partner()
    try:
        with transaction.atomic():
            plant = Plant.objects.select_for_update().filter(pk=plant_id, partner=partner).first()
            if plant is None:
                raise ValidationError({"plant_id": _("Choose one of your plants.")})
            result = write()
            published = capacity_publish(
                partner=partner, plant_id=plant.pk, actor_label=user.get_username()
            )
            audit_record(
                action=AuditEntry.Action.CAPACITY_DECLARED,
                actor=user,
                partner=partner,
                obj=plant,
                change=change,
                plant=plant.code,
                published=published is not None,
                **detail,
            )
    except IntegrityError as exc:  # a concurrent change took the same type or name
        raise ValidationError(_("Someone changed this plant at the same time; try again.")) from exc
    return result


def _saved(row):
    row.full_clean()
    row.save()
    return row


def _values(row, names) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in names}


def _row_save(*, model, row, plant_id: int | None, fields: dict[str, Any], user, noun: str):
    """Add a row of `model` to the plant, or change `row` (which keeps its plant)."""
    target = row or model(plant_id=plant_id)
    old = _values(row, fields) if row is not None else None
    for name, value in fields.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    return _declare(
        plant_id=target.plant_id,
        user=user,
        change=f"{noun}.changed" if row is not None else f"{noun}.added",
        write=lambda: _saved(target),
        old=old,
        new=_values(target, fields),
    )


def _row_remove(*, row, names, user, noun: str) -> None:
    _declare(
        plant_id=row.plant_id,
        user=user,
        change=f"{noun}.removed",
        write=row.delete,
        old=_values(row, names),
    )


WORK_CENTRE_FIELDS = ("work_centre_type", "count", "hours_per_day", "efficiency")


def work_centre_save(
    *,
    plant_id: int | None = None,
    work_centre_type: str,
    count: int,
    hours_per_day: Decimal,
    efficiency: Decimal,
    user,
    work_centre: WorkCentre | None = None,
) -> WorkCentre:
    """Add a work centre to plant `plant_id`, or change `work_centre`."""
    fields = {
        "work_centre_type": work_centre_type,
        "count": count,
        "hours_per_day": hours_per_day,
        "efficiency": efficiency,
    }
    return _row_save(
        model=WorkCentre,
        row=work_centre,
        plant_id=plant_id,
        fields=fields,
        user=user,
        noun="work_centre",
    )


def work_centre_remove(*, work_centre: WorkCentre, user) -> None:
    _row_remove(row=work_centre, names=WORK_CENTRE_FIELDS, user=user, noun="work_centre")


def capability_add(*, plant_id: int, name: str, user) -> PlantCapability:
    return _row_save(
        model=PlantCapability,
        row=None,
        plant_id=plant_id,
        fields={"name": name},
        user=user,
        noun="capability",
    )


def capability_remove(*, capability: PlantCapability, user) -> None:
    _row_remove(row=capability, names=("name",), user=user, noun="capability")


def downtime_save(
    *,
    plant_id: int | None = None,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    user,
    downtime: Downtime | None = None,
) -> Downtime:
    """Plan downtime for plant `plant_id` (both days included), or change `downtime`."""
    if end < start:
        raise ValidationError({"end": _("The last day is before the first day.")})
    return _row_save(
        model=Downtime,
        row=downtime,
        plant_id=plant_id,
        fields={"start": start, "end": end, "reason": reason},
        user=user,
        noun="downtime",
    )


def downtime_remove(*, downtime: Downtime, user) -> None:
    _row_remove(row=downtime, names=("start", "end", "reason"), user=user, noun="downtime")


def capacity_declare(
    *,
    plant_id: int,
    user,
    work_centres: Iterable[dict],
    capabilities: Iterable[str] = (),
    downtime: Iterable[dict] = (),
) -> PlantCapacity | None:
    """Replace the plant's whole declaration at once (the demo seed; imports):
    `work_centres` as {type, count, hours_per_day, efficiency}, `downtime` as
    {start, end, reason} with dates. Publishes once; returns the hub copy."""

    def write():
        WorkCentre.objects.filter(plant_id=plant_id).delete()
        PlantCapability.objects.filter(plant_id=plant_id).delete()
        Downtime.objects.filter(plant_id=plant_id).delete()
        for wc in work_centres:
            _saved(
                WorkCentre(
                    plant_id=plant_id,
                    work_centre_type=wc["type"],
                    count=wc["count"],
                    hours_per_day=Decimal(str(wc["hours_per_day"])),
                    efficiency=Decimal(str(wc.get("efficiency", 1))),
                )
            )
        for name in capabilities:
            _saved(PlantCapability(plant_id=plant_id, name=name))
        for d in downtime:
            _saved(Downtime(plant_id=plant_id, start=d["start"], end=d["end"], reason=d["reason"]))

    _declare(plant_id=plant_id, user=user, change="declaration.replaced", write=write)
    return PlantCapacity.objects.filter(plant_id=plant_id).first()
