"""The JSON form of problems and plans, and the errors bad input gives. No database."""

from __future__ import annotations

import copy
import json

import pytest

from orders.planning import solve
from orders.planning.jsonio import (
    SCHEMA_PATH,
    plan_from_json,
    plan_to_json,
    problem_from_json,
    problem_to_json,
)
from orders.planning.model import PlanningInputError
from orders.planning.synthetic import network


@pytest.fixture(scope="module")
def small():
    return network(12, 4, seed=7, weeks=3)


@pytest.fixture
def data(small):
    return copy.deepcopy(problem_to_json(small))


def test_problem_round_trip_through_json_text(small):
    text = json.dumps(problem_to_json(small))
    assert problem_from_json(json.loads(text)) == small


def test_plan_round_trip_through_json_text(small):
    plan = solve(small, time_limit=1)
    data = json.loads(json.dumps(plan_to_json(plan)))
    assert plan_from_json(data) == plan
    assert data["placements"] and data["explanations"]
    assert {"objective", "best_bound", "gap", "status", "build_seconds", "solve_seconds"} <= set(
        data
    )


def test_schema_file_is_valid_json_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


def errors_of(data):
    with pytest.raises(PlanningInputError) as raised:
        problem_from_json(data)
    return dict(raised.value.errors), str(raised.value)


def set_path(data, path, value):
    *head, last = path
    for key in head:
        data = data[key]
    data[last] = value


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("orders", 0, "quantity"), -5, "orders[0].quantity", "minimum"),
        (("orders", 0, "quantity"), "ten", "orders[0].quantity", "integer"),
        (("orders", 0, "due_date"), "2026-02-30", "orders[0].due_date", "not a valid date"),
        (("orders", 0, "approved_plants"), ["NOPE"], "orders[0].approved_plants", "NOPE"),
        (
            ("orders", 0, "current"),
            [{"plant_id": "NOPE", "quantity": 1}],
            "orders[0].current[0].plant_id",
            "unknown plant",
        ),
        (("orders", 0, "split"), {"min_lot": 10_000}, "orders[0].split.min_lot", "more than"),
        (("periods", 0), "2026-03-03", "periods[0]", "not a Monday"),
        (("plants", 1, "id"), "P000", "plants[1].id", "duplicate"),
        (
            ("plants", 0, "work_centres", 0, "hours_per_day"),
            25,
            "plants[0].work_centres[0].hours_per_day",
            "maximum",
        ),
        (("move_penalty_per_unit",), -1, "move_penalty_per_unit", "minimum"),
    ],
)
def test_bad_input_names_the_field(data, path, value, field, words):
    set_path(data, path, value)
    errors, text = errors_of(data)
    assert field in errors
    assert words in errors[field]
    assert field in text


def test_unknown_plant_ids_everywhere_are_reported_together(data):
    data["capacity"] = [
        {
            "plant_id": "GHOST",
            "work_centre_type": "saw",
            "period_start": data["periods"][0],
            "hours": 5,
        }
    ]
    data["lanes"] = [{"plant_id": "GHOST", "freight_per_unit": 1.0, "order_id": "NO-ORDER"}]
    data["overrides"] = [{"order_id": data["orders"][0]["id"], "plant_id": "GHOST", "cost": 3}]
    data["downtime"] = [{"plant_id": "GHOST", "start": "2026-03-03", "end": "2026-03-02"}]
    errors, _text = errors_of(data)
    for field in (
        "capacity[0].plant_id",
        "lanes[0].plant_id",
        "lanes[0].order_id",
        "overrides[0].plant_id",
        "downtime[0].plant_id",
        "downtime[0].end",
    ):
        assert field in errors, field


def test_negative_capacity_is_refused(data):
    data["capacity"] = [
        {
            "plant_id": data["plants"][0]["id"],
            "work_centre_type": "saw",
            "period_start": data["periods"][0],
            "hours": -1,
        }
    ]
    errors, _text = errors_of(data)
    assert "minimum" in errors["capacity[0].hours"]


def test_missing_and_unknown_fields_are_named(data):
    del data["orders"][0]["due_date"]
    data["plants"][0]["colour"] = "blue"
    errors, _text = errors_of(data)
    assert errors["orders[0].due_date"] == "is required"
    assert errors["plants[0].colour"] == "is not a known field"


def test_periods_must_ascend(data):
    data["periods"] = [data["periods"][1], data["periods"][0]]
    errors, _text = errors_of(data)
    assert "ascending" in errors["periods[1]"]


def test_not_an_object():
    with pytest.raises(PlanningInputError):
        problem_from_json([1, 2, 3])
