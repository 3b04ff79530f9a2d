"""The engine's input, built from hub tables: the orders with quantity left to
dispatch as new work, accepted and in-progress dispatches as committed work, every
plant that can be planned (the hub's copy of its capacity declaration, its cost
model, rates and lanes), and a what-if scenario's plants down or partners suspended.

The engine (`orders.planning`) knows nothing of Django; this module turns the hub's
data into its frozen dataclasses. Partners' capacity comes from the hub's copy of
their declaration (`PlantCapacity`), never from their schemas.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.planning import model as engine
from tenants.models import Certification, Partner, Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.plants import FreightLane
from .scenario import Scenario
from .selectors import order_remaining

HORIZON_WEEKS = 8
MAX_HORIZON_WEEKS = 26
# Penalty per unit and day late, by order priority (network currency).
LATENESS_PER_UNIT_DAY = {1: 0.5, 2: 1.0, 3: 3.0, 4: 10.0}
# Plan stability: cost per unit of already dispatched work moved to another plant.
MOVE_PER_UNIT = 25.0


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _periods(today: datetime.date, orders: list[NetworkOrder]) -> tuple[datetime.date, ...]:
    """From the coming Monday (work this week is already scheduled) to two weeks past
    the latest due date, at least HORIZON_WEEKS and at most MAX_HORIZON_WEEKS."""
    start = _monday(today) + datetime.timedelta(days=7)
    latest = max((o.due_date for o in orders), default=start)
    weeks = (_monday(latest) - start).days // 7 + 3
    weeks = min(MAX_HORIZON_WEEKS, max(HORIZON_WEEKS, weeks))
    return tuple(start + datetime.timedelta(weeks=w) for w in range(weeks))


def _float(value) -> float:
    return float(value or 0)


def _plant(plant: Plant, *, today: datetime.date, suspended: bool) -> engine.Plant:
    capacity = plant.capacity
    cost = plant.cost
    certifications = [
        c for c in plant.partner.certifications.all() if c.plant_id in (None, plant.pk)
    ]
    return engine.Plant(
        id=str(plant.pk),
        name=f"{plant.partner.name} · {plant.name}",
        country=str(plant.country),
        latitude=_float(plant.latitude),
        longitude=_float(plant.longitude),
        work_centres=tuple(
            engine.WorkCentre(
                type=w["type"],
                count=int(w["count"]),
                hours_per_day=float(w["hours_per_day"]),
                efficiency=float(w.get("efficiency", 1.0)),
            )
            for w in capacity.work_centres
        ),
        capabilities=frozenset(capacity.capabilities),
        certifications=tuple(
            engine.Certification(standard=c.standard, expires_on=c.expires_on)
            for c in certifications
        ),
        hourly_rates={r.work_centre_type: _float(r.hourly_rate) for r in plant.hourly_rates.all()},
        setup_cost=_float(cost.setup_cost),
        material_cost_factor=_float(cost.material_cost_factor),
        freight_per_unit_km=_float(cost.freight_per_unit_km),
        export_registrations=frozenset(
            c.standard
            for c in certifications
            if c.standard == Certification.Standard.ITAR and c.expires_on >= today
        ),
        available=not suspended,
    )


def _operations(order: NetworkOrder) -> tuple[engine.Operation, ...]:
    return tuple(
        engine.Operation(
            work_centre_type=op.work_centre_type,
            setup_hours=_float(op.setup_minutes) / 60,
            run_hours_per_unit=_float(op.run_minutes_per_unit) / 60,
            capability=op.required_capability,
            certification=op.required_certification,
        )
        for op in order.revision.operations.all()
    )


def _order(order: NetworkOrder, *, id: str, quantity: int, current=(), locked=False):
    product = order.revision.product
    approved = frozenset(str(p.pk) for p in product.approved_plants.all())
    min_lot = order.split_min_lot
    return engine.Order(
        id=id,
        quantity=quantity,
        due_date=order.due_date,
        latitude=_float(order.ship_to_latitude),
        longitude=_float(order.ship_to_longitude),
        operations=_operations(order),
        material_cost_per_unit=_float(product.material_cost_per_unit),
        lateness_penalty_per_day=LATENESS_PER_UNIT_DAY.get(order.priority, 1.0),
        priority=order.priority,
        export_controlled=order.export_controlled,
        approved_plants=approved or None,
        split=engine.Split(min_lot=min_lot) if min_lot and quantity >= 2 * min_lot else None,
        current=tuple(current),
        locked=locked,
    )


@dataclass(frozen=True)
class BuiltProblem:
    problem: engine.Problem
    left_out: list[str]  # plants not considered, and why


def problem_build(
    *,
    orders: list[NetworkOrder],
    unlocked: Iterable[str] = (),
    scenario: Scenario | None = None,
    previous: dict[str, list[tuple[str, int]]] | None = None,
    today: datetime.date | None = None,
) -> BuiltProblem:
    """The engine's input: the selected orders' remaining quantities as new work,
    and every accepted or in-progress dispatch as committed work (locked where it
    is unless its work order number is in `unlocked`). `previous` (what-if) gives
    where a plan put each order: moving it away then costs the move penalty, so
    that the comparison shows what the scenario changes, not other ways to plan."""
    today = today or timezone.localdate()
    scenario = scenario or Scenario()
    unlocked = set(unlocked)
    plants = (
        Plant.objects.filter(partner__in=Partner.objects.partners())
        .exclude(partner__status=Partner.Status.ONBOARDING)
        .select_related("partner", "capacity", "cost")
        .prefetch_related("hourly_rates", "partner__certifications")
        .order_by("partner__name", "name")
    )
    engine_plants, left_out = [], []
    for plant in plants:
        missing = [
            label
            for attr, label in (
                ("capacity", _("no capacity declared")),
                ("cost", _("no cost model")),
            )
            if not hasattr(plant, attr)
        ]
        if missing:
            left_out.append(f"{plant.partner.name} · {plant.name}: {', '.join(missing)}")
            continue
        suspended = (
            plant.partner.status == Partner.Status.SUSPENDED
            or plant.partner_id in scenario.partners_suspended
        )
        engine_plants.append(_plant(plant, today=today, suspended=suspended))
    considered = {p.id for p in engine_plants}

    engine_orders = []
    for order in orders:
        remaining = order_remaining(order)
        if remaining > 0:
            before = (previous or {}).get(order.number, [])
            engine_orders.append(
                _order(
                    order,
                    id=order.number,
                    quantity=remaining,
                    current=[
                        engine.Current(plant_id=p, quantity=q) for p, q in before if p in considered
                    ],
                )
            )
    committed = (
        Dispatch.objects.filter(status__in=(Dispatch.Status.ACCEPTED, Dispatch.Status.IN_PROGRESS))
        .select_related("order__revision__product")
        .prefetch_related(
            "order__revision__operations", "order__revision__product__approved_plants"
        )
    )
    for dispatch in committed:
        open_quantity = dispatch.quantity - dispatch.shipped_quantity
        if open_quantity <= 0 or str(dispatch.plant_id) not in considered:
            continue
        engine_orders.append(
            _order(
                dispatch.order,
                id=dispatch.work_order_number,
                quantity=open_quantity,
                current=[engine.Current(plant_id=str(dispatch.plant_id), quantity=open_quantity)],
                locked=dispatch.work_order_number not in unlocked,
            )
        )

    downtime = [
        engine.Downtime(
            plant_id=str(plant.pk),
            start=datetime.date.fromisoformat(d["start"]),
            end=datetime.date.fromisoformat(d["end"]),
        )
        for plant in plants
        if str(plant.pk) in considered
        for d in plant.capacity.downtime
    ]
    downtime += [
        engine.Downtime(plant_id=str(p), start=s, end=e)
        for p, s, e in scenario.plants_down
        if str(p) in considered
    ]
    lanes = [
        engine.Lane(
            plant_id=str(lane.plant_id),
            freight_per_unit=_float(lane.freight_per_unit),
            country=str(lane.destination_country),
        )
        for lane in FreightLane.objects.filter(plant_id__in=[int(p) for p in considered])
    ]
    problem = engine.Problem(
        periods=_periods(today, orders),
        plants=tuple(engine_plants),
        orders=tuple(engine_orders),
        downtime=tuple(downtime),
        lanes=tuple(lanes),
        compliance=engine.Compliance(
            export_allowed_countries=frozenset(settings.DMN_EXPORT_ALLOWED_COUNTRIES)
        ),
        move_penalty_per_unit=MOVE_PER_UNIT,
        today=today,
    )
    return BuiltProblem(problem=problem, left_out=left_out)
