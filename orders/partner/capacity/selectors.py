"""Reads of a partner's capacity declaration: its plants, each plant's rows as
the hub keeps them, and what the hub holds of them, read from the partner's own
events on the network ledger."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from orders.declarations import weekly_hours
from orders.vocabulary import CAPACITY_PUBLISHED
from portal.models import LedgerEvent
from tenants.models import DataSharingAgreement, Partner, Plant

from ..models import Downtime, PlantCapability, WorkCentre

RELEASE = DataSharingAgreement.Release.CAPACITY


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


@dataclass(frozen=True)
class HubCopy:
    """What the hub holds of one plant's declaration: the last declaration the
    ledger carried for it, as the agreement in force releases it."""

    declared_at: datetime.datetime
    declared_by_label: str
    work_centres: list
    capabilities: list
    downtime: list

    @property
    def hours(self) -> list[tuple[str, float]]:
        return weekly_hours(self.work_centres)


def hub_copies(partner: Partner, plant_ids: Iterable[int]) -> dict[int, HubCopy]:
    """Per plant, what the hub holds of its declaration (none for a plant that
    declares nothing, or while the agreement does not release capacity), read
    from the partner's own events on the ledger rather than from the hub's tables."""
    releases = DataSharingAgreement.releases_in_force(partner)
    if RELEASE not in releases:
        return {}
    copies = {}
    for plant_id in plant_ids:
        event = (
            LedgerEvent.objects.filter(
                partner=partner, kind=CAPACITY_PUBLISHED, payload__plant=plant_id
            )
            .order_by("-id")
            .first()
        )
        payload = event.released_payload(releases) if event else {}
        declaration = [payload.get(name) for name in ("work_centres", "capabilities", "downtime")]
        if any(declaration):
            copies[plant_id] = HubCopy(event.at, event.actor_label, *declaration)
    return copies


def declared_rows(plant_ids: Iterable[int]) -> dict[int, dict[str, list]]:
    """Per plant, its work centres, capabilities and downtime as rows."""
    ids = list(plant_ids)
    rows: dict[int, dict[str, list]] = {
        pk: {"work_centres": [], "capabilities": [], "downtime": []} for pk in ids
    }
    for key, model in (
        ("work_centres", WorkCentre),
        ("capabilities", PlantCapability),
        ("downtime", Downtime),
    ):
        for row in model.objects.filter(plant_id__in=ids):
            rows[row.plant_id][key].append(row)
    return rows
