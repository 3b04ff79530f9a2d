"""CP-SAT and greedy plans on problems whose optimum is known. No database."""

from __future__ import annotations

import datetime
import time

import pytest

from orders.planning import greedy, solve
from orders.planning.model import (
    Capacity,
    Current,
    Operation,
    PairOverride,
    PlanningInputError,
    Split,
)
from orders.planning.synthetic import network

from .builders import FOUR_WEEKS, MONDAY, order, plant, problem


def assignment_3x3():
    """Three orders, three plants that each take one order; costs by override.
    Optimum A-Y, B-X, C-Z = 9; greedy (A, B, C in turn) takes A-Y, B-Z, C-X = 10."""
    costs = {"A": (9, 2, 7), "B": (6, 4, 3), "C": (5, 8, 1)}
    plants = [plant(p, work_centres=()) for p in "XYZ"]
    orders = [order(o, operations=(Operation("work", 0, 0),)) for o in "ABC"]
    overrides = [
        PairOverride(o, p, cost=c, load_hours=10)
        for o, row in costs.items()
        for p, c in zip("XYZ", row, strict=True)
    ]
    capacity = [Capacity(p, "work", MONDAY, 10) for p in "XYZ"]
    return problem(plants, orders, overrides=overrides, capacity=capacity)


def cheap_plant_takes_one():
    """Cheap has 15 h a week, Dear 40 h. O1 needs 10 h, O2 12 h. Best: O2 at Cheap
    (120) and O1 at Dear (200) = 320; O1 at Cheap would make 100 + 240 = 340."""
    return problem(
        [plant("cheap", rate=10, hours_per_day=3), plant("dear", rate=20)],
        [
            order("O1", quantity=10, due_date=MONDAY + datetime.timedelta(days=5)),
            order("O2", quantity=12),
        ],
    )


def test_assignment_with_override_costs_reaches_the_known_optimum():
    plan = solve(assignment_3x3(), time_limit=5)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(9.0)
    assert plan.gap == 0
    assert {(p.order_id, p.plant_id) for p in plan.placements} == {
        ("A", "Y"),
        ("B", "X"),
        ("C", "Z"),
    }
    assert greedy(assignment_3x3()).objective == pytest.approx(10.0)


def test_capacity_lets_the_cheap_plant_take_only_one_order():
    plan = solve(cheap_plant_takes_one(), time_limit=5)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(320.0)
    assert {(p.order_id, p.plant_id) for p in plan.placements} == {
        ("O1", "dear"),
        ("O2", "cheap"),
    }
    loads = {(ld.plant_id, ld.work_centre_type): (ld.hours, ld.capacity) for ld in plan.loads}
    assert loads[("cheap", "mill")] == (12.0, 15.0)
    assert loads[("dear", "mill")] == (10.0, 40.0)


def test_explanation_names_the_runner_up_and_its_extra_cost():
    plan = solve(cheap_plant_takes_one(), time_limit=5)
    why = {e.order_id: e for e in plan.explanations}
    assert why["O2"].runner_up_plant_id == "dear"
    assert why["O2"].runner_up_extra_cost == pytest.approx(120.0)
    assert why["O2"].cost.production == pytest.approx(120.0)
    assert "Plant dear would cost 120.00 more" in why["O2"].reason
    # O1 would have been cheaper at Cheap, which had no room left.
    assert why["O1"].runner_up_plant_id == "cheap"
    assert why["O1"].runner_up_extra_cost == pytest.approx(-100.0)
    [full] = [x for x in why["O1"].excluded if x.reason == "capacity"]
    assert full.plant_id == "cheap"
    assert "12.0 h of 15.0 h" in full.message
    assert "had no room" in why["O1"].reason


def test_greedy_is_never_better_than_cp_sat_on_small_cases():
    cases = [assignment_3x3(), cheap_plant_takes_one()]
    cases += [network(20, 4, seed=seed, weeks=4) for seed in (1, 2, 3)]
    for case in cases:
        exact, quick = solve(case, time_limit=2), greedy(case)
        assert quick.status == "greedy"
        assert exact.objective <= quick.objective + 0.01 * len(case.orders)


def test_locked_order_stays_even_when_moving_is_cheaper():
    case = problem(
        [plant("cheap", rate=10), plant("dear", rate=20)],
        [order("O1", current=(Current("dear", 10),), locked=True)],
    )
    plan = solve(case, time_limit=2)
    [placement] = plan.placements
    assert (placement.plant_id, placement.quantity) == ("dear", 10)
    assert plan.objective == pytest.approx(200.0)
    [why] = plan.explanations
    assert why.reason.startswith("Locked")
    assert [(x.plant_id, x.reason) for x in why.excluded] == [("cheap", "locked")]


@pytest.mark.parametrize(
    ("penalty", "where", "objective"),
    [
        (5.0, "cheap", 100.0 + 50.0),  # saves 100, moving 10 units costs 50: move
        (20.0, "dear", 200.0),  # moving would cost 200 to save 100: stay
    ],
)
def test_move_penalty_keeps_an_order_in_place_unless_moving_saves_more(penalty, where, objective):
    case = problem(
        [plant("cheap", rate=10), plant("dear", rate=20)],
        [order("O1", current=(Current("dear", 10),))],
        move_penalty_per_unit=penalty,
    )
    plan = solve(case, time_limit=2)
    [placement] = plan.placements
    assert placement.plant_id == where
    assert plan.objective == pytest.approx(objective)
    if where == "dear":
        assert "stays where it is dispatched" in plan.explanations[0].reason


def split_case(**split):
    """100 units of 1 h; three plants of 40 h in the one week: only parts fit."""
    return problem(
        [plant(p) for p in "XYZ"],
        [order("BIG", quantity=100, split=Split(**split))],
    )


def test_split_parts_respect_min_lot_and_max_parts():
    plan = solve(split_case(min_lot=30, max_parts=3), time_limit=5)
    parts = [p for p in plan.placements if p.order_id == "BIG"]
    assert sum(p.quantity for p in parts) == 100
    assert 1 < len(parts) <= 3
    assert all(p.quantity >= 30 for p in parts)
    assert len({(p.plant_id, p.period_start) for p in parts}) == len(parts)
    assert all(e.reason.startswith("Split into 3 parts") for e in plan.explanations)


@pytest.mark.parametrize("split", [{"min_lot": 30, "max_parts": 2}, {"min_lot": 40}])
def test_split_that_would_need_smaller_or_more_parts_is_not_placed(split):
    plan = solve(split_case(**split), time_limit=2)
    assert plan.placements == ()
    [unplaced] = plan.unplaced
    assert unplaced.message.startswith("Not enough capacity")


def test_late_when_the_due_week_is_full():
    late = MONDAY + datetime.timedelta(days=4)
    case = problem(
        [plant("only")],
        [
            order("A", quantity=30, due_date=late, lateness_penalty_per_day=1.0),
            order("B", quantity=30, due_date=late, lateness_penalty_per_day=2.0),
        ],
        periods=FOUR_WEEKS,
    )
    plan = solve(case, time_limit=2)
    days = {p.order_id: p.days_late for p in plan.placements}
    # One of them waits a week; the one with the lower penalty.
    assert days == {"B": 0, "A": 7}
    assert plan.objective == pytest.approx(300 + 300 + 7 * 30 * 1.0)
    assert "7 days late" in next(e.reason for e in plan.explanations if e.order_id == "A")


def test_should_stop_cancels_the_search():
    case = network(100, 10, seed=1)
    started = time.monotonic()
    plan = solve(case, time_limit=30, should_stop=lambda: time.monotonic() - started > 1.0)
    assert plan.status == "cancelled"
    assert plan.placements
    assert plan.solve_seconds < 10


def test_should_stop_before_any_solution_gives_no_solution():
    plan = solve(cheap_plant_takes_one(), time_limit=5, should_stop=lambda: True)
    assert plan.status == "no_solution"
    assert plan.placements == () and plan.objective is None


def test_progress_is_reported_with_objective_bound_and_gap():
    seen = []
    solve(network(30, 5, seed=2, weeks=4), time_limit=2, on_progress=seen.append)
    assert seen
    assert all(p.objective >= p.best_bound - 1e-6 for p in seen)
    assert all(p.gap is None or 0 <= p.gap <= 1 for p in seen)


@pytest.mark.parametrize("limit", [0, -1])
def test_time_limit_must_be_positive(limit):
    with pytest.raises(PlanningInputError) as raised:
        solve(cheap_plant_takes_one(), time_limit=limit)
    assert raised.value.errors[0][0] == "time_limit"
    assert "time_limit" in str(raised.value)


def test_hint_from_a_previous_plan_is_accepted():
    case = cheap_plant_takes_one()
    first = solve(case, time_limit=2)
    again = solve(case, time_limit=2, hint=first)
    assert again.objective == pytest.approx(first.objective)
