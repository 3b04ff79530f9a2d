"""Checks a Problem beyond its types: references, ranges and dates.

Paths are those of the JSON input (`orders[3].quantity`), so that a planner who
loaded a file sees where to look, and the Django side can map them onto rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import PlanningInputError, Problem


def problem_check(problem: Problem) -> None:
    """Raise PlanningInputError listing every problem found, or return."""
    errors = list(_problem_errors(problem))
    if errors:
        raise PlanningInputError(errors)


def _duplicates(ids: Iterable[str], prefix: str):
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield f"{prefix}[{i}].id", f"duplicate id {ident!r}"
        seen.add(ident)


def _unknown(ident: str, known: set[str], path: str, what: str):
    if ident not in known:
        yield path, f"unknown {what} id {ident!r}"


def _negative(value: float, path: str):
    if value < 0:
        yield path, f"must not be negative (got {value})"


def _problem_errors(p: Problem):
    plant_ids = {plant.id for plant in p.plants}
    orders = {order.id: order for order in p.orders}
    order_ids = set(orders)
    yield from _duplicates((plant.id for plant in p.plants), "plants")
    yield from _duplicates((order.id for order in p.orders), "orders")
    yield from _negative(p.move_penalty_per_unit, "move_penalty_per_unit")

    if not p.periods:
        yield "periods", "at least one planning week is needed"
    for i, start in enumerate(p.periods):
        if start.weekday() != 0:
            yield f"periods[{i}]", f"{start.isoformat()} is not a Monday"
        if i and start <= p.periods[i - 1]:
            yield f"periods[{i}]", "periods must be ascending without repeats"
    periods = set(p.periods)

    for i, plant in enumerate(p.plants):
        at = f"plants[{i}]"
        if not plant.id:
            yield f"{at}.id", "must not be empty"
        if not -90 <= plant.latitude <= 90:
            yield f"{at}.latitude", "must be between -90 and 90"
        if not -180 <= plant.longitude <= 180:
            yield f"{at}.longitude", "must be between -180 and 180"
        for j, wc in enumerate(plant.work_centres):
            w = f"{at}.work_centres[{j}]"
            yield from _negative(wc.count, f"{w}.count")
            if not 0 <= wc.hours_per_day <= 24:
                yield f"{w}.hours_per_day", "must be between 0 and 24"
            if wc.efficiency <= 0:
                yield f"{w}.efficiency", "must be above 0"
        for wc_type, rate in plant.hourly_rates.items():
            yield from _negative(rate, f"{at}.hourly_rates.{wc_type}")
        yield from _negative(plant.setup_cost, f"{at}.setup_cost")
        yield from _negative(plant.material_cost_factor, f"{at}.material_cost_factor")
        yield from _negative(plant.freight_per_unit_km, f"{at}.freight_per_unit_km")

    for i, order in enumerate(p.orders):
        at = f"orders[{i}]"
        if not order.id:
            yield f"{at}.id", "must not be empty"
        if order.quantity < 1:
            yield f"{at}.quantity", f"must be at least 1 (got {order.quantity})"
        if not -90 <= order.latitude <= 90:
            yield f"{at}.latitude", "must be between -90 and 90"
        if not -180 <= order.longitude <= 180:
            yield f"{at}.longitude", "must be between -180 and 180"
        yield from _negative(order.material_cost_per_unit, f"{at}.material_cost_per_unit")
        yield from _negative(order.lateness_penalty_per_day, f"{at}.lateness_penalty_per_day")
        for j, op in enumerate(order.operations):
            yield from _negative(op.setup_hours, f"{at}.operations[{j}].setup_hours")
            yield from _negative(op.run_hours_per_unit, f"{at}.operations[{j}].run_hours_per_unit")
        if order.approved_plants is not None:
            unknown = sorted(order.approved_plants - plant_ids)
            if unknown:
                yield f"{at}.approved_plants", f"unknown plant ids {', '.join(unknown)}"
        if order.split is not None:
            if order.split.min_lot < 1:
                yield f"{at}.split.min_lot", "must be at least 1"
            elif order.split.min_lot > order.quantity:
                yield (
                    f"{at}.split.min_lot",
                    f"{order.split.min_lot} is more than the quantity {order.quantity}",
                )
            if order.split.max_parts < 1:
                yield f"{at}.split.max_parts", "must be at least 1"
        for j, current in enumerate(order.current):
            yield from _unknown(current.plant_id, plant_ids, f"{at}.current[{j}].plant_id", "plant")
            if current.quantity < 1:
                yield f"{at}.current[{j}].quantity", "must be at least 1"
        if sum(c.quantity for c in order.current) > order.quantity:
            yield f"{at}.current", "dispatched quantities add up to more than the order quantity"

    for i, row in enumerate(p.capacity):
        at = f"capacity[{i}]"
        yield from _unknown(row.plant_id, plant_ids, f"{at}.plant_id", "plant")
        if row.period_start not in periods:
            yield f"{at}.period_start", f"{row.period_start.isoformat()} is not one of the periods"
        yield from _negative(row.hours, f"{at}.hours")

    for i, row in enumerate(p.downtime):
        at = f"downtime[{i}]"
        yield from _unknown(row.plant_id, plant_ids, f"{at}.plant_id", "plant")
        if row.end < row.start:
            yield f"{at}.end", "ends before it starts"

    for i, lane in enumerate(p.lanes):
        at = f"lanes[{i}]"
        yield from _unknown(lane.plant_id, plant_ids, f"{at}.plant_id", "plant")
        if lane.order_id:
            yield from _unknown(lane.order_id, order_ids, f"{at}.order_id", "order")
        yield from _negative(lane.freight_per_unit, f"{at}.freight_per_unit")

    for i, pair in enumerate(p.overrides):
        at = f"overrides[{i}]"
        yield from _unknown(pair.order_id, order_ids, f"{at}.order_id", "order")
        yield from _unknown(pair.plant_id, plant_ids, f"{at}.plant_id", "plant")
        if pair.cost is not None:
            yield from _negative(pair.cost, f"{at}.cost")
        if pair.load_hours is not None:
            yield from _negative(pair.load_hours, f"{at}.load_hours")
            order = orders.get(pair.order_id)
            if order is not None and not order.operations and not pair.work_centre_type:
                yield (
                    f"{at}.work_centre_type",
                    "needed when the order has no operations to take the type from",
                )
