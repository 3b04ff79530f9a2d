"""The spread model: an order's load over several weeks at its plant. No database."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

import pytest

from orders.planning import solve
from orders.planning.jsonio import plan_from_json, plan_to_json
from orders.planning.model import Capacity, Current, PlanningInputError, Split
from orders.planning.spread import solve_spread
from orders.planning.synthetic import network

from .builders import FOUR_WEEKS, FRIDAY, MONDAY, ONE_WEEK, order, plant, problem

WEEK = datetime.timedelta(weeks=1)


def two_orders_one_due_week():
    """One plant, 20 h in the first week and 40 h after. A needs 25 h, B 35 h, both
    due on the second Friday, 1 per unit per day late. In one week each, one of
    them must wait a week: A (25 units x 7 days = 175 late) at best, 775 in all.
    Spread: A 80% (20 h) in week 1 and 20% (5 h) in week 2 beside B: 600, on time."""
    capacity = [
        Capacity("P", "mill", week, 20.0 if week == MONDAY else 40.0) for week in FOUR_WEEKS
    ]
    due = FRIDAY + WEEK
    return problem(
        [plant("P", rate=10)],
        [
            order("A", quantity=25, due_date=due, lateness_penalty_per_day=1.0),
            order("B", quantity=35, due_date=due, lateness_penalty_per_day=1.0),
        ],
        periods=FOUR_WEEKS,
        capacity=capacity,
    )


def test_spreading_over_two_weeks_avoids_the_lateness_one_week_must_pay():
    single = solve(two_orders_one_due_week(), time_limit=10, model="single_week")
    assert single.status == "optimal"
    assert single.objective == pytest.approx(775)
    spread = solve_spread(two_orders_one_due_week(), time_limit=10)
    assert spread.status == "optimal"
    assert spread.objective == pytest.approx(600)
    at = {p.order_id: p for p in spread.placements}
    assert at["A"].weeks == ((MONDAY, 80), (MONDAY + WEEK, 20))
    assert at["A"].period_start == MONDAY
    assert at["A"].days_late == 0 and at["A"].cost.lateness == 0
    assert at["B"].weeks == ((MONDAY + WEEK, 100),)
    assert {p.order_id: p.quantity for p in spread.placements} == {"A": 25, "B": 35}
    # The same through solve(model="spread").
    again = solve(two_orders_one_due_week(), time_limit=10, model="spread")
    assert again.objective == pytest.approx(600)


def test_lateness_is_that_of_the_share_made_late():
    """10 h and 20 h free before the due date, 40 h the week after, for 40 h of
    work: a quarter is made a week late (in one week, all of it would be)."""
    free = {MONDAY: 10.0, MONDAY + WEEK: 20.0}
    capacity = [Capacity("P", "mill", week, free.get(week, 40.0)) for week in FOUR_WEEKS]
    plan = solve_spread(
        problem(
            [plant("P", rate=10)],
            [order("A", quantity=40, due_date=FRIDAY + WEEK, lateness_penalty_per_day=1.0)],
            periods=FOUR_WEEKS,
            capacity=capacity,
        ),
        time_limit=10,
    )
    (placement,) = plan.placements
    assert placement.weeks == ((MONDAY, 25), (MONDAY + WEEK, 50), (MONDAY + 2 * WEEK, 25))
    assert placement.days_late == 7
    # 25% of 40 units, 7 days late, 1 per unit per day.
    assert placement.cost.lateness == pytest.approx(70)
    assert plan.objective == pytest.approx(400 + 70)


def test_capacity_is_respected_in_every_week():
    plan = solve_spread(network(60, 6, seed=3), time_limit=5)
    assert plan.status in ("optimal", "feasible")
    booked = defaultdict(float)
    for load in plan.loads:
        booked[load.plant_id, load.work_centre_type, load.period_start] += load.hours
        if not any(n.startswith("Locked orders overload") for n in plan.notes):
            assert load.hours <= load.capacity + 1e-3
    by_order = defaultdict(int)
    for placement in plan.placements:
        assert placement.weeks
        by_order[placement.order_id] += sum(pct for _w, pct in placement.weeks)
        assert placement.period_start == placement.weeks[0][0]
    # Percents are of the whole order, over all of its plants.
    assert set(by_order.values()) == {100}


def split_order(max_parts):
    """100 units of 1 h, plants of 40 h a week, one week: three shares of >= 30."""
    plants = [plant(p) for p in "XYZ"]
    split = Split(min_lot=30, max_parts=max_parts)
    return problem(plants, [order("S", quantity=100, split=split)], periods=ONE_WEEK)


def test_split_shares_are_at_least_the_min_lot():
    plan = solve_spread(split_order(3), time_limit=10)
    assert not plan.unplaced
    assert len(plan.placements) == 3
    assert sum(p.quantity for p in plan.placements) == 100
    assert all(p.quantity >= 30 for p in plan.placements)
    assert sum(pct for p in plan.placements for _w, pct in p.weeks) == 100


def test_split_that_needs_more_plants_than_allowed_is_not_placed():
    plan = solve_spread(split_order(2), time_limit=10)
    assert [u.order_id for u in plan.unplaced] == ["S"]


def test_locked_order_stays_and_spreads_back_from_its_due_week():
    """Locked at the dear plant, 50 h with 40 h a week: 80% in the due week (the
    second), 20% the week before; the cheap plant is not used."""
    plan = solve_spread(
        problem(
            [plant("cheap", rate=1), plant("dear", rate=100)],
            [
                order(
                    "L",
                    quantity=50,
                    due_date=FRIDAY + WEEK,
                    locked=True,
                    current=(Current("dear", 50),),
                )
            ],
            periods=FOUR_WEEKS,
        ),
        time_limit=5,
    )
    (placement,) = plan.placements
    assert placement.plant_id == "dear"
    assert placement.quantity == 50
    assert placement.weeks == ((MONDAY, 20), (MONDAY + WEEK, 80))
    assert placement.days_late == 0
    assert plan.objective == pytest.approx(5000)
    (explanation,) = plan.explanations
    assert explanation.reason.startswith("Locked")


def test_weeks_survive_a_json_round_trip_and_old_json_still_loads():
    plan = solve_spread(two_orders_one_due_week(), time_limit=10)
    data = plan_to_json(plan)
    assert plan_from_json(data).placements == plan.placements
    for row in data["placements"]:
        del row["weeks"]
    old = plan_from_json(data)
    assert all(p.weeks == () for p in old.placements)
    assert [dataclasses.replace(p, weeks=()) for p in plan.placements] == list(old.placements)


def test_unknown_model_is_refused():
    with pytest.raises(PlanningInputError) as error:
        solve(two_orders_one_due_week(), time_limit=1, model="weekly")
    assert error.value.errors[0][0] == "model"
