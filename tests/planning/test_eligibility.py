"""Which plants may make an order, and the diagnosis when none can. No database."""

from __future__ import annotations

import datetime

import pytest

from orders.planning import greedy, solve
from orders.planning.model import (
    Certification,
    Compliance,
    Downtime,
    Operation,
    WorkCentre,
)

from .builders import FOUR_WEEKS, MONDAY, order, plant, problem

DUE = MONDAY + datetime.timedelta(days=20)


def exclusions(plan, order_id):
    """{plant id: (reason, message)} for an order, placed or not."""
    rows = [e.excluded for e in plan.explanations if e.order_id == order_id]
    rows += [u.reasons for u in plan.unplaced if u.order_id == order_id]
    return {x.plant_id: (x.reason, x.message) for row in rows for x in row}


def certified_order(**fields):
    return order(
        "AERO",
        due_date=DUE,
        operations=(Operation("mill", 0, 1, certification="AS9100"),),
        **fields,
    )


def test_certification_expiring_before_the_due_date_excludes_the_plant():
    case = problem(
        [
            plant(
                "lapsing",
                rate=5,
                certifications=(Certification("AS9100", DUE - datetime.timedelta(days=1)),),
            ),
            plant("valid", rate=20, certifications=(Certification("AS9100", DUE),)),
        ],
        [certified_order()],
        periods=FOUR_WEEKS,
    )
    plan = solve(case, time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["valid"]
    reason, message = exclusions(plan, "AERO")["lapsing"]
    assert reason == "certification_expired"
    assert "AS9100" in message
    assert (DUE - datetime.timedelta(days=1)).isoformat() in message
    assert DUE.isoformat() in message


def test_certification_expiring_after_the_due_date_keeps_the_plant():
    later = DUE + datetime.timedelta(days=1)
    case = problem(
        [plant("cheap", rate=5, certifications=(Certification("AS9100", later),))],
        [certified_order()],
        periods=FOUR_WEEKS,
    )
    plan = solve(case, time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["cheap"]
    assert exclusions(plan, "AERO") == {}


def test_no_certified_plant_is_diagnosed_per_plant():
    case = problem(
        [plant("a"), plant("b", certifications=(Certification("ISO 9001", None),))],
        [certified_order()],
    )
    for plan in (solve(case, time_limit=2), greedy(case)):
        assert plan.placements == ()
        [unplaced] = plan.unplaced
        assert unplaced.message == "No plant can make it: 2 lacking a certificate."
        assert {x.plant_id: x.reason for x in unplaced.reasons} == {
            "a": "certification_missing",
            "b": "certification_missing",
        }
        assert all("AS9100" in x.message for x in unplaced.reasons)


def test_not_enough_capacity_says_hours_needed_and_available():
    case = problem([plant("small")], [order("A", quantity=30), order("B", quantity=30)])
    plan = solve(case, time_limit=2)
    assert len(plan.placements) == 1
    [unplaced] = plan.unplaced
    assert unplaced.message.startswith("Not enough capacity at the 1 eligible plant(s)")
    assert "needs 30.0 h of mill in one week" in unplaced.message
    assert "10.0 h" in unplaced.message
    assert [x.reason for x in unplaced.reasons] == ["capacity"]
    # The unplaced order costs its penalty in the objective.
    assert plan.unplaced_penalty > 0
    assert plan.objective == pytest.approx(300 + plan.unplaced_penalty)


def test_order_bigger_than_any_week_is_a_capacity_exclusion():
    case = problem([plant("small")], [order("HUGE", quantity=50)])
    plan = solve(case, time_limit=2)
    [unplaced] = plan.unplaced
    assert unplaced.message.startswith("Not enough capacity")
    assert "needs 50.0 h of mill in one week, at most 40.0 h at Plant small" in unplaced.message
    assert unplaced.reasons[0].message == (
        "Plant small has no week with room for this order: 40.0 h of mill in the week that "
        "comes closest."
    )
    assert plan.unplaced_penalty == 0  # no plan could place it


def export_case(**compliance):
    plants = [
        plant("cn", rate=1, country="CN", export_registrations=frozenset({"itar"})),
        plant("us-plain", rate=2, country="US"),
        plant("us-itar", rate=30, country="US", export_registrations=frozenset({"itar"})),
    ]
    return problem(
        plants,
        [order("DEF", export_controlled=True)],
        compliance=Compliance(frozenset({"US"}), **compliance),
    )


def test_export_controlled_order_goes_only_to_registered_plants_in_allowed_countries():
    plan = solve(export_case(), time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["us-itar"]
    excluded = exclusions(plan, "DEF")
    assert excluded["cn"][0] == "compliance"
    assert "CN" in excluded["cn"][1] and "US" in excluded["cn"][1]
    assert excluded["us-plain"][0] == "compliance"
    assert "ITAR registration" in excluded["us-plain"][1]


def test_export_registration_name_comes_from_compliance():
    plan = solve(export_case(export_registration="ear99"), time_limit=2)
    assert plan.placements == ()
    assert {r for r, _m in exclusions(plan, "DEF").values()} == {"compliance"}


def test_approved_plant_list_excludes_the_others():
    case = problem(
        [plant("cheap", rate=1), plant("approved", rate=50)],
        [order("A", approved_plants=frozenset({"approved"}))],
    )
    plan = solve(case, time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["approved"]
    assert exclusions(plan, "A")["cheap"][0] == "not_approved"


def test_capability_and_work_centre_types():
    case = problem(
        [
            plant("no-turn"),
            plant(
                "turn-3axis",
                work_centres=(WorkCentre("mill", 1, 8), WorkCentre("turn", 1, 8)),
            ),
            plant(
                "turn-5axis",
                rate=40,
                work_centres=(WorkCentre("mill", 1, 8), WorkCentre("turn", 1, 8)),
                capabilities=frozenset({"5-axis"}),
            ),
        ],
        [
            order(
                "A",
                operations=(
                    Operation("turn", 0, 0.5),
                    Operation("mill", 0, 0.5, capability="5-axis"),
                ),
            )
        ],
    )
    plan = solve(case, time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["turn-5axis"]
    excluded = exclusions(plan, "A")
    assert excluded["no-turn"] == ("capability", "Plant no-turn has no work centre turn.")
    assert excluded["turn-3axis"] == ("capability", "Plant turn-3axis has no capability 5-axis.")


def test_plant_down_for_the_whole_horizon_is_unavailable():
    down = Downtime("down", MONDAY, MONDAY + datetime.timedelta(days=30))
    case = problem(
        [plant("down", rate=1), plant("up", rate=10), plant("off", rate=1, available=False)],
        [order("A")],
        periods=FOUR_WEEKS,
        downtime=(down,),
    )
    plan = solve(case, time_limit=2)
    assert [p.plant_id for p in plan.placements] == ["up"]
    excluded = exclusions(plan, "A")
    assert excluded["down"][0] == "plant_unavailable"
    assert MONDAY.isoformat() in excluded["down"][1]
    assert excluded["off"] == ("plant_unavailable", "Plant off is marked unavailable.")


def test_downtime_days_reduce_a_week_of_derived_capacity():
    # Two days down in the first week: 3 x 8 = 24 h left, so 30 h waits a week.
    down = Downtime("p", MONDAY, MONDAY + datetime.timedelta(days=1))
    case = problem(
        [plant("p")],
        [order("A", quantity=30, due_date=MONDAY + datetime.timedelta(days=4))],
        periods=FOUR_WEEKS,
        downtime=(down,),
    )
    plan = solve(case, time_limit=2)
    [placement] = plan.placements
    assert placement.period_start == FOUR_WEEKS[1]
    assert placement.days_late == 7
