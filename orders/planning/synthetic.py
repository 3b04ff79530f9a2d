"""Seeded synthetic networks for tests and the benchmark.

`network(orders, plants, seed=...)` builds plants in ten countries with their
own rate levels, efficiencies and work centres over six work-centre types,
certifications (some expiring inside the horizon), a few export-registered
plants, downtime and committed capacity; orders with 3-6 operation routings,
ship-to points, due dates over the horizon, some export-controlled, some with
approved-plant lists, some splittable, some already dispatched (a few locked).
Run hours are scaled so that each type's demand is 75-90% of its capacity over
the horizon: capacity binds, and not every order gets its cheapest plant.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import replace

from .model import (
    Capacity,
    Certification,
    Compliance,
    Current,
    Downtime,
    Lane,
    Operation,
    Order,
    Plant,
    Problem,
    Split,
    WorkCentre,
)

# code, latitude, longitude, rate per hour (typical), share of plants
COUNTRIES = (
    ("US", 39.0, -90.0, 85.0, 14),
    ("DE", 50.5, 9.5, 78.0, 12),
    ("JP", 35.5, 137.0, 80.0, 6),
    ("IT", 45.0, 10.0, 62.0, 8),
    ("PL", 52.0, 19.5, 42.0, 10),
    ("CZ", 49.8, 15.5, 44.0, 10),
    ("HU", 47.2, 19.2, 40.0, 8),
    ("MX", 23.0, -102.0, 30.0, 12),
    ("IN", 19.0, 76.0, 24.0, 12),
    ("CN", 31.0, 118.0, 28.0, 8),
)
# type, rate factor, share of routings
TYPES = (
    ("saw", 0.7, 0.55),
    ("cnc_turn", 1.0, 0.6),
    ("cnc_mill", 1.2, 0.75),
    ("weld", 0.9, 0.45),
    ("heat_treat", 1.3, 0.35),
    ("finish", 0.8, 0.6),
)
FLOW = [t for t, _f, _s in TYPES]  # the order operations run in
SECTORS = (  # sector, share, certification, NADCAP on heat treatment
    ("general", 0.55, "ISO 9001", False),
    ("aerospace", 0.15, "AS9100", True),
    ("medical", 0.12, "ISO 13485", False),
    ("automotive", 0.18, "IATF 16949", False),
)
CAPABILITIES = {"cnc_mill": "5-axis", "cnc_turn": "titanium", "weld": "large-parts"}
EXPORT_COUNTRIES = frozenset({"US", "DE", "JP", "IT"})


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def network(
    orders: int,
    plants: int,
    *,
    seed: int,
    weeks: int = 8,
    today: datetime.date = datetime.date(2026, 3, 2),
    load: float | None = None,
) -> Problem:
    """A synthetic network; `load` (default 0.75-0.90, drawn) is demand / capacity."""
    rng = random.Random(seed)  # noqa: S311 (seeded test data, not secrets)
    start = _monday_on_or_after(today)
    periods = tuple(start + datetime.timedelta(weeks=i) for i in range(weeks))
    horizon_end = periods[-1] + datetime.timedelta(days=6)
    target = load if load is not None else rng.uniform(0.75, 0.90)

    plant_list, downtime, capacity = [], [], []
    for i in range(plants):
        code, lat, lon, rate, _share = rng.choices(COUNTRIES, weights=[c[4] for c in COUNTRIES])[0]
        types = [t for t, _f, _s in TYPES if rng.random() < 0.9] or ["cnc_mill"]
        if len(types) < 3:
            types = rng.sample(FLOW, 3)
        # Plant sizes are skewed, as in real networks: a few large plants hold
        # much of the capacity.
        size = min(30, max(1, round(rng.lognormvariate(1.0, 0.9))))
        hours_per_day = rng.choice((16.0, 16.0, 24.0))
        centres, rates = [], {}
        for t, factor, type_share in TYPES:
            if t not in types:
                continue
            # Work centres of a type in proportion to how often routings use it.
            centres.append(
                WorkCentre(
                    type=t,
                    count=max(1, round(size * type_share / 0.6 * rng.uniform(0.8, 1.2))),
                    hours_per_day=hours_per_day,
                    efficiency=round(rng.uniform(0.75, 1.05), 2),
                )
            )
            rates[t] = round(rate * factor * rng.uniform(0.85, 1.2), 2)
        certifications = [Certification("ISO 9001", _expiry(rng, today, horizon_end, 0.08))]
        for _sector, _share, standard, _nadcap in SECTORS[1:]:
            if rng.random() < 0.45:
                certifications.append(
                    Certification(standard, _expiry(rng, today, horizon_end, 0.1))
                )
        if "heat_treat" in types and rng.random() < 0.5:
            certifications.append(Certification("NADCAP", _expiry(rng, today, horizon_end, 0.1)))
        capabilities = frozenset(
            cap for t, cap in CAPABILITIES.items() if t in types and rng.random() < 0.4
        )
        registered = code in EXPORT_COUNTRIES and rng.random() < 0.35
        plant_id = f"P{i:03d}"
        plant_list.append(
            Plant(
                id=plant_id,
                name=f"{code} plant {i:03d}",
                country=code,
                latitude=round(lat + rng.uniform(-3, 3), 4),
                longitude=round(lon + rng.uniform(-4, 4), 4),
                work_centres=tuple(centres),
                capabilities=capabilities,
                certifications=tuple(certifications),
                hourly_rates=rates,
                setup_cost=round(rng.uniform(50, 400), 2),
                material_cost_factor=round(rng.uniform(0.95, 1.1), 3),
                freight_per_unit_km=round(rng.uniform(0.0004, 0.0015), 5),
                export_registrations=frozenset({"itar"}) if registered else frozenset(),
                available=rng.random() > 0.02,
            )
        )
        if rng.random() < 0.1:
            first = rng.choice(periods) + datetime.timedelta(days=rng.randint(0, 4))
            downtime.append(
                Downtime(plant_id, first, first + datetime.timedelta(days=rng.randint(1, 6)))
            )
        if rng.random() < 0.1:  # committed work in the first two weeks
            wc = rng.choice(centres)
            for w in periods[:2]:
                derived = wc.count * wc.hours_per_day * wc.efficiency * 5
                capacity.append(
                    Capacity(plant_id, wc.type, w, round(derived * rng.uniform(0.5, 0.9), 1))
                )

    order_list, homes = [], []
    share = {t: s for t, _f, s in TYPES}
    makers = [p for p in plant_list if p.available] or plant_list
    # Larger plants make more of the network's products.
    weights = [sum(wc.count * wc.hours_per_day for wc in p.work_centres) for p in makers]
    mean_weight = sum(weights) / len(weights)
    for i in range(orders):
        # Products are designed for the network: each routing fits at least one
        # plant (its "home"), though the home's certificates may lapse in the horizon.
        home = rng.choices(makers, weights=weights)[0]
        homes.append(home)
        home_types = [wc.type for wc in home.work_centres]
        held = {c.standard for c in home.certifications}
        sector, _s, standard, nadcap = rng.choices(SECTORS, weights=[s[1] for s in SECTORS])[0]
        if standard not in held:
            sector, _s, standard, nadcap = SECTORS[0]
        n_ops = rng.randint(3, 6)
        route = []
        while len(route) < min(n_ops, len(home_types)):
            t = rng.choices(home_types, weights=[share[t] for t in home_types])[0]
            if t not in route:
                route.append(t)
        route.sort(key=FLOW.index)
        operations = []
        certified = rng.randrange(len(route))
        for k, t in enumerate(route):
            certification = standard if k == certified else ""
            if nadcap and t == "heat_treat" and "NADCAP" in held:
                certification = "NADCAP"
            capability = ""
            if CAPABILITIES.get(t) in home.capabilities and rng.random() < 0.3:
                capability = CAPABILITIES[t]
            operations.append(
                Operation(
                    work_centre_type=t,
                    setup_hours=round(rng.uniform(0.5, 4.0), 2),
                    run_hours_per_unit=round(rng.uniform(0.08, 0.2), 4),
                    capability=capability,
                    certification=certification,
                )
            )
        code, lat, lon, _rate, _share = rng.choice(COUNTRIES)
        # Products made at large plants come in larger orders.
        scale = (weights[makers.index(home)] / mean_weight) ** 0.6
        quantity = int(min(5000, max(10, rng.lognormvariate(4.8, 0.35) * scale)))
        material = round(rng.uniform(5, 80), 2)
        cleared = home.country in EXPORT_COUNTRIES and "itar" in home.export_registrations
        export = sector == "aerospace" and cleared and rng.random() < 0.5
        approved = None
        if rng.random() < 0.05:
            others = rng.sample([p.id for p in plant_list], min(len(plant_list), 6))
            approved = frozenset(others) | {home.id}
        split = None
        if quantity >= 40 and rng.random() < 0.1:
            split = Split(min_lot=max(10, quantity // 4), max_parts=3)
        current, locked = (), False
        if rng.random() < 0.1:
            current = (Current(home.id, quantity),)
            locked = rng.random() < 0.3
        order_list.append(
            Order(
                id=f"O{i:05d}",
                quantity=quantity,
                due_date=today + datetime.timedelta(days=rng.randint(7, weeks * 7 + 7)),
                latitude=round(lat + rng.uniform(-4, 4), 4),
                longitude=round(lon + rng.uniform(-5, 5), 4),
                country=code,
                operations=tuple(operations),
                material_cost_per_unit=material,
                lateness_penalty_per_day=round((material + 40) * rng.uniform(0.005, 0.02), 3),
                priority=rng.choices((1, 2, 3), weights=(2, 6, 2))[0],
                export_controlled=export,
                approved_plants=approved,
                split=split,
                current=current,
                locked=locked,
            )
        )
    order_list = _scale_run_hours(order_list, plant_list, periods, target)
    order_list = _fit_to_home(order_list, homes)
    order_list = _scale_run_hours(order_list, plant_list, periods, target)
    lanes = [
        Lane(p.id, round(rng.uniform(0.5, 3.0), 2), country=p.country)
        for p in plant_list
        if rng.random() < 0.3
    ]
    return Problem(
        periods=periods,
        plants=tuple(plant_list),
        orders=tuple(order_list),
        capacity=tuple(capacity),
        downtime=tuple(downtime),
        lanes=tuple(lanes),
        compliance=Compliance(EXPORT_COUNTRIES),
        move_penalty_per_unit=2.0,
        today=today,
    )


def _expiry(rng, today, horizon_end, inside: float) -> datetime.date | None:
    """Most certificates run for years; a share `inside` expires within the horizon."""
    if rng.random() < inside:
        return today + datetime.timedelta(days=rng.randint(1, (horizon_end - today).days))
    return today + datetime.timedelta(days=rng.randint(400, 1100))


def _fit_to_home(orders, homes):
    """Orders too big for a week of their home plant become splittable into parts
    that fit (at most 4; the largest orders are cut down to that)."""
    out = []
    for order, home in zip(orders, homes, strict=True):
        cells = {
            wc.type: wc.count * wc.hours_per_day * wc.efficiency * 5 for wc in home.work_centres
        }
        loads = {}
        for op in order.operations:
            loads[op.work_centre_type] = loads.get(op.work_centre_type, 0.0) + (
                op.setup_hours + op.run_hours_per_unit * order.quantity
            )
        ratio = max(loads[t] / cells[t] for t in loads)
        if ratio <= 1.0 or order.locked:
            out.append(order)
            continue
        parts = math.ceil(ratio / 0.8)
        quantity = order.quantity
        if parts > 4:
            quantity, parts = max(4, int(quantity * 4 * 0.75 / ratio)), 4
        current = tuple(replace(c, quantity=min(c.quantity, quantity)) for c in order.current)
        split = Split(min_lot=max(1, quantity // (parts + 1)), max_parts=parts + 1)
        out.append(replace(order, quantity=quantity, split=split, current=current))
    return out


def _scale_run_hours(orders, plants, periods, target):
    """Scale each type's run hours so that its demand is `target` of its capacity."""
    capacity = dict.fromkeys(FLOW, 0.0)
    for p in plants:
        if p.available:
            for wc in p.work_centres:
                capacity[wc.type] += wc.count * wc.hours_per_day * wc.efficiency * 5 * len(periods)
    setup = dict.fromkeys(FLOW, 0.0)
    run = dict.fromkeys(FLOW, 0.0)
    for o in orders:
        for op in o.operations:
            setup[op.work_centre_type] += op.setup_hours
            run[op.work_centre_type] += op.run_hours_per_unit * o.quantity
    factor = {
        t: max(0.01, (target * capacity[t] - setup[t]) / run[t]) if run[t] else 1.0 for t in FLOW
    }
    return [
        replace(
            o,
            operations=tuple(
                replace(
                    op,
                    run_hours_per_unit=round(
                        op.run_hours_per_unit * factor[op.work_centre_type], 5
                    ),
                )
                for op in o.operations
            ),
        )
        for o in orders
    ]
