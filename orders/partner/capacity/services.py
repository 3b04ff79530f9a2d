"""Changing a partner's capacity declaration (work centres, capabilities and
planned downtime of its plants, kept in its own schema) and publishing it to
the hub.

Every change runs in the partner's schema (the request's host), takes that
partner explicitly and, in the same transaction, appends the plant's whole
declaration to the network ledger (kind `capacity.declared`, group `capacity`,
so only while the data-sharing agreement releases it), whose projector keeps the
hub's copy, and records the change in the audit log. Withdrawing `capacity`
rebuilds the partner's hub read models without it (tenants.sharing); releasing
it again publishes every plant's declaration (`capacity_release_changed`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from orders.vocabulary import CAPACITY_DECLARED, CAPACITY_PUBLISHED
from portal.audit import audit_record
from portal.ledger import ledger_append
from tenants.models import Partner, Plant

from ..models import Downtime, PlantCapability, WorkCentre
from .selectors import RELEASE, declaration_json, plants_of

# --- Publishing -----------------------------------------------------------------------------


def capacity_publish(*, partner: Partner, plant_id: int, actor_label: str) -> bool:
    """Append the plant's whole declaration to the ledger; False when the
    agreement does not release capacity (nothing is appended then)."""
    event = ledger_append(
        partner=partner,
        kind=CAPACITY_PUBLISHED,
        groups={RELEASE: {"plant": plant_id, **declaration_json(plant_id)}},
        actor_label=actor_label,
    )
    return event is not None


def capacity_release_changed(
    *, partner: Partner, old: Iterable[str], new: Iterable[str], actor_label: str = ""
) -> None:
    """The agreement changed (in its transaction): a new release publishes what
    is declared, from the partner's own schema (the sharing page runs on its
    host). A withdrawal needs nothing here: the ledger rebuilds the partner's hub
    read models without the group."""
    was, now = RELEASE in set(old), RELEASE in set(new)
    if now and not was and connection.schema_name == partner.schema_name:
        for plant_id in plants_of(partner).values_list("pk", flat=True):
            capacity_publish(partner=partner, plant_id=plant_id, actor_label=actor_label)


def _sharing_changed(sender, *, partner, old, new, actor=None, **kwargs) -> None:
    """Receives tenants.sharing.releases_changed (connected in apps.py)."""
    label = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    capacity_release_changed(partner=partner, old=old, new=new, actor_label=label)


# --- Writes -----------------------------------------------------------------------------------


def _declare(
    *, partner: Partner, plant_id: int, user, change: str, write: Callable[[], Any], **detail: Any
) -> Any:
    """Lock the plant (one change per plant at a time), check that it is this
    partner's, run `write`, publish and audit: all of it or nothing."""
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
                action=CAPACITY_DECLARED,
                actor=user,
                partner=partner,
                obj=plant,
                change=change,
                plant=plant.code,
                published=published,
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


def _row_save(
    *, partner: Partner, model, row, plant_id: int | None, fields: dict[str, Any], user, noun: str
):
    """Add a row of `model` to the plant, or change `row` (which keeps its plant)."""
    target = row or model(plant_id=plant_id)
    old = _values(row, fields) if row is not None else None
    for name, value in fields.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    return _declare(
        partner=partner,
        plant_id=target.plant_id,
        user=user,
        change=f"{noun}.changed" if row is not None else f"{noun}.added",
        write=lambda: _saved(target),
        old=old,
        new=_values(target, fields),
    )


def _row_remove(*, partner: Partner, row, names, user, noun: str) -> None:
    _declare(
        partner=partner,
        plant_id=row.plant_id,
        user=user,
        change=f"{noun}.removed",
        write=row.delete,
        old=_values(row, names),
    )


WORK_CENTRE_FIELDS = ("work_centre_type", "count", "hours_per_day", "efficiency")


def work_centre_save(
    *,
    partner: Partner,
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
        partner=partner,
        model=WorkCentre,
        row=work_centre,
        plant_id=plant_id,
        fields=fields,
        user=user,
        noun="work_centre",
    )


def work_centre_remove(*, partner: Partner, work_centre: WorkCentre, user) -> None:
    _row_remove(
        partner=partner, row=work_centre, names=WORK_CENTRE_FIELDS, user=user, noun="work_centre"
    )


def capability_add(*, partner: Partner, plant_id: int, name: str, user) -> PlantCapability:
    return _row_save(
        partner=partner,
        model=PlantCapability,
        row=None,
        plant_id=plant_id,
        fields={"name": name},
        user=user,
        noun="capability",
    )


def capability_remove(*, partner: Partner, capability: PlantCapability, user) -> None:
    _row_remove(partner=partner, row=capability, names=("name",), user=user, noun="capability")


def downtime_save(
    *,
    partner: Partner,
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
        partner=partner,
        model=Downtime,
        row=downtime,
        plant_id=plant_id,
        fields={"start": start, "end": end, "reason": reason},
        user=user,
        noun="downtime",
    )


def downtime_remove(*, partner: Partner, downtime: Downtime, user) -> None:
    _row_remove(
        partner=partner, row=downtime, names=("start", "end", "reason"), user=user, noun="downtime"
    )


def capacity_declare(
    *,
    partner: Partner,
    plant_id: int,
    user,
    work_centres: Iterable[dict],
    capabilities: Iterable[str] = (),
    downtime: Iterable[dict] = (),
) -> None:
    """Replace the plant's whole declaration at once (the demo seed; imports):
    `work_centres` as {type, count, hours_per_day, efficiency}, `downtime` as
    {start, end, reason} with dates. Publishes once."""

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

    _declare(
        partner=partner, plant_id=plant_id, user=user, change="declaration.replaced", write=write
    )
