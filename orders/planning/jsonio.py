"""The JSON form of a Problem and of a Plan.

`problem_from_json` checks the structure against `problem.schema.json` and then
the meaning (`validate.problem_check`: references, ranges, Mondays); every error
comes back at once in a PlanningInputError, as (path, message) pairs such as
("orders[3].quantity", "must be at least 1 (got 0)").
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from .model import (
    Capacity,
    Certification,
    Compliance,
    CostBreakdown,
    Current,
    Downtime,
    Exclusion,
    Explanation,
    Lane,
    Load,
    Operation,
    Order,
    PairOverride,
    Placement,
    Plan,
    PlanningInputError,
    Plant,
    Problem,
    Split,
    Unplaced,
    WorkCentre,
)
from .validate import problem_check

SCHEMA_PATH = Path(__file__).with_name("problem.schema.json")


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_errors(data) -> list[tuple[str, str]]:
    errors = []
    for error in _validator().iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    errors.append((_path([*path, name]), "is required"))
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in allowed:
                    errors.append((_path([*path, name]), "is not a known field"))
            continue
        message = error.message
        if error.validator == "format":
            message = f"{error.instance!r} is not a valid date (YYYY-MM-DD)"
        elif error.validator == "pattern":
            message = f"{error.instance!r} is not a date in the form YYYY-MM-DD"
        errors.append((_path(path), message))
    return sorted(set(errors), key=lambda e: e[0])


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def problem_from_json(data: dict) -> Problem:
    """A Problem from its JSON form (already parsed); PlanningInputError if invalid."""
    if not isinstance(data, dict):
        raise PlanningInputError([("(top level)", "must be a JSON object")])
    errors = _schema_errors(data)
    if errors:
        raise PlanningInputError(errors)
    plants = tuple(
        Plant(
            id=p["id"],
            name=p["name"],
            country=p["country"],
            latitude=p["latitude"],
            longitude=p["longitude"],
            work_centres=tuple(
                WorkCentre(
                    type=w["type"],
                    count=w["count"],
                    hours_per_day=w["hours_per_day"],
                    efficiency=w.get("efficiency", 1.0),
                )
                for w in p.get("work_centres", ())
            ),
            capabilities=frozenset(p.get("capabilities", ())),
            certifications=tuple(
                Certification(
                    c["standard"], _date(c["expires_on"]) if c.get("expires_on") else None
                )
                for c in p.get("certifications", ())
            ),
            hourly_rates=dict(p.get("hourly_rates", {})),
            setup_cost=p.get("setup_cost", 0.0),
            material_cost_factor=p.get("material_cost_factor", 1.0),
            freight_per_unit_km=p.get("freight_per_unit_km", 0.0),
            export_registrations=frozenset(p.get("export_registrations", ())),
            available=p.get("available", True),
        )
        for p in data["plants"]
    )
    orders = tuple(
        Order(
            id=o["id"],
            quantity=o["quantity"],
            due_date=_date(o["due_date"]),
            latitude=o["latitude"],
            longitude=o["longitude"],
            country=o.get("country", ""),
            operations=tuple(
                Operation(
                    work_centre_type=op["work_centre_type"],
                    setup_hours=op["setup_hours"],
                    run_hours_per_unit=op["run_hours_per_unit"],
                    capability=op.get("capability", ""),
                    certification=op.get("certification", ""),
                )
                for op in o.get("operations", ())
            ),
            material_cost_per_unit=o.get("material_cost_per_unit", 0.0),
            lateness_penalty_per_day=o.get("lateness_penalty_per_day", 0.0),
            priority=o.get("priority", 2),
            export_controlled=o.get("export_controlled", False),
            approved_plants=(
                frozenset(o["approved_plants"]) if o.get("approved_plants") is not None else None
            ),
            split=(
                Split(o["split"]["min_lot"], o["split"].get("max_parts", 3))
                if o.get("split")
                else None
            ),
            current=tuple(Current(c["plant_id"], c["quantity"]) for c in o.get("current", ())),
            locked=o.get("locked", False),
        )
        for o in data["orders"]
    )
    compliance = data.get("compliance", {})
    problem = Problem(
        periods=tuple(_date(d) for d in data["periods"]),
        plants=plants,
        orders=orders,
        capacity=tuple(
            Capacity(c["plant_id"], c["work_centre_type"], _date(c["period_start"]), c["hours"])
            for c in data.get("capacity", ())
        ),
        downtime=tuple(
            Downtime(d["plant_id"], _date(d["start"]), _date(d["end"]), d.get("what_if", False))
            for d in data.get("downtime", ())
        ),
        lanes=tuple(
            Lane(
                ln["plant_id"],
                ln["freight_per_unit"],
                country=ln.get("country", ""),
                order_id=ln.get("order_id", ""),
            )
            for ln in data.get("lanes", ())
        ),
        overrides=tuple(
            PairOverride(
                ov["order_id"],
                ov["plant_id"],
                cost=ov.get("cost"),
                load_hours=ov.get("load_hours"),
                work_centre_type=ov.get("work_centre_type", ""),
            )
            for ov in data.get("overrides", ())
        ),
        compliance=Compliance(
            frozenset(compliance.get("export_allowed_countries", ())),
            compliance.get("export_registration", "itar"),
        ),
        move_penalty_per_unit=data.get("move_penalty_per_unit", 0.0),
        today=_date(data["today"]),
    )
    problem_check(problem)
    return problem


def problem_to_json(problem: Problem) -> dict:
    """The JSON form of a Problem (problem_from_json reads it back to an equal one)."""
    return {
        "today": problem.today.isoformat(),
        "periods": [d.isoformat() for d in problem.periods],
        "plants": [
            {
                "id": p.id,
                "name": p.name,
                "country": p.country,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "work_centres": [
                    {
                        "type": w.type,
                        "count": w.count,
                        "hours_per_day": w.hours_per_day,
                        "efficiency": w.efficiency,
                    }
                    for w in p.work_centres
                ],
                "capabilities": sorted(p.capabilities),
                "certifications": [
                    {
                        "standard": c.standard,
                        "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                    }
                    for c in p.certifications
                ],
                "hourly_rates": dict(p.hourly_rates),
                "setup_cost": p.setup_cost,
                "material_cost_factor": p.material_cost_factor,
                "freight_per_unit_km": p.freight_per_unit_km,
                "export_registrations": sorted(p.export_registrations),
                "available": p.available,
            }
            for p in problem.plants
        ],
        "orders": [
            {
                "id": o.id,
                "quantity": o.quantity,
                "due_date": o.due_date.isoformat(),
                "latitude": o.latitude,
                "longitude": o.longitude,
                "country": o.country,
                "operations": [
                    {
                        "work_centre_type": op.work_centre_type,
                        "setup_hours": op.setup_hours,
                        "run_hours_per_unit": op.run_hours_per_unit,
                        "capability": op.capability,
                        "certification": op.certification,
                    }
                    for op in o.operations
                ],
                "material_cost_per_unit": o.material_cost_per_unit,
                "lateness_penalty_per_day": o.lateness_penalty_per_day,
                "priority": o.priority,
                "export_controlled": o.export_controlled,
                "approved_plants": (
                    sorted(o.approved_plants) if o.approved_plants is not None else None
                ),
                "split": (
                    {"min_lot": o.split.min_lot, "max_parts": o.split.max_parts}
                    if o.split
                    else None
                ),
                "current": [{"plant_id": c.plant_id, "quantity": c.quantity} for c in o.current],
                "locked": o.locked,
            }
            for o in problem.orders
        ],
        "capacity": [
            {
                "plant_id": c.plant_id,
                "work_centre_type": c.work_centre_type,
                "period_start": c.period_start.isoformat(),
                "hours": c.hours,
            }
            for c in problem.capacity
        ],
        "downtime": [
            {
                "plant_id": d.plant_id,
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "what_if": d.what_if,
            }
            for d in problem.downtime
        ],
        "lanes": [
            {
                "plant_id": ln.plant_id,
                "freight_per_unit": ln.freight_per_unit,
                "country": ln.country,
                "order_id": ln.order_id,
            }
            for ln in problem.lanes
        ],
        "overrides": [
            {
                "order_id": ov.order_id,
                "plant_id": ov.plant_id,
                "cost": ov.cost,
                "load_hours": ov.load_hours,
                "work_centre_type": ov.work_centre_type,
            }
            for ov in problem.overrides
        ],
        "compliance": {
            "export_allowed_countries": sorted(problem.compliance.export_allowed_countries),
            "export_registration": problem.compliance.export_registration,
        },
        "move_penalty_per_unit": problem.move_penalty_per_unit,
    }


# --- plans ------------------------------------------------------------------------

COST_FIELDS = ("production", "setup", "material", "freight", "lateness", "move")


def _cost_to_json(cost: CostBreakdown) -> dict:
    out = {name: getattr(cost, name) for name in COST_FIELDS}
    out["total"] = cost.total
    return out


def _cost_from_json(data: dict) -> CostBreakdown:
    return CostBreakdown(**{name: data.get(name, 0.0) for name in COST_FIELDS})


class _ExclusionTable:
    """Exclusions repeat across orders (the same plant lacks the same certificate
    for many of them): the plan's JSON lists each once, under "exclusions", and
    explanations refer to them by position."""

    def __init__(self):
        self.rows: list[dict] = []
        self.index: dict[Exclusion, int] = {}

    def refs(self, exclusions) -> list[int]:
        out = []
        for e in exclusions:
            i = self.index.get(e)
            if i is None:
                i = self.index[e] = len(self.rows)
                self.rows.append({"plant_id": e.plant_id, "reason": e.reason, "message": e.message})
            out.append(i)
        return out


def plan_to_json(plan: Plan) -> dict:
    """The JSON form of a Plan; plan_from_json reads it back to an equal Plan."""
    table = _ExclusionTable()
    data = {
        "status": plan.status,
        "engine": plan.engine,
        "objective": plan.objective,
        "best_bound": plan.best_bound,
        "gap": plan.gap,
        "build_seconds": plan.build_seconds,
        "solve_seconds": plan.solve_seconds,
        "unplaced_penalty": plan.unplaced_penalty,
        "notes": list(plan.notes),
        "placements": [
            {
                "order_id": p.order_id,
                "plant_id": p.plant_id,
                "quantity": p.quantity,
                "period_start": p.period_start.isoformat(),
                "days_late": p.days_late,
                "cost": _cost_to_json(p.cost),
                # Spread model only: [week, percent] pairs (absent for one week).
                **({"weeks": [[w.isoformat(), pct] for w, pct in p.weeks]} if p.weeks else {}),
            }
            for p in plan.placements
        ],
        "explanations": [
            {
                "order_id": e.order_id,
                "plant_id": e.plant_id,
                "period_start": e.period_start.isoformat() if e.period_start else None,
                "reason": e.reason,
                "cost": _cost_to_json(e.cost),
                "runner_up_plant_id": e.runner_up_plant_id,
                "runner_up_extra_cost": e.runner_up_extra_cost,
                "excluded": table.refs(e.excluded),
            }
            for e in plan.explanations
        ],
        "unplaced": [
            {
                "order_id": u.order_id,
                "message": u.message,
                "reasons": table.refs(u.reasons),
            }
            for u in plan.unplaced
        ],
        "loads": [
            {
                "plant_id": ld.plant_id,
                "work_centre_type": ld.work_centre_type,
                "period_start": ld.period_start.isoformat(),
                "hours": ld.hours,
                "capacity": ld.capacity,
            }
            for ld in plan.loads
        ],
    }
    data["exclusions"] = table.rows
    return data


def plan_from_json(data: dict) -> Plan:
    """A Plan from plan_to_json's output."""
    table = [
        Exclusion(x["plant_id"], x["reason"], x["message"]) for x in data.get("exclusions", ())
    ]

    def exclusions(refs):
        return tuple(table[i] for i in refs)

    return Plan(
        status=data["status"],
        engine=data["engine"],
        objective=data.get("objective"),
        best_bound=data.get("best_bound"),
        gap=data.get("gap"),
        build_seconds=data.get("build_seconds", 0.0),
        solve_seconds=data.get("solve_seconds", 0.0),
        unplaced_penalty=data.get("unplaced_penalty", 0.0),
        notes=tuple(data.get("notes", ())),
        placements=tuple(
            Placement(
                order_id=p["order_id"],
                plant_id=p["plant_id"],
                quantity=p["quantity"],
                period_start=_date(p["period_start"]),
                days_late=p["days_late"],
                cost=_cost_from_json(p["cost"]),
                weeks=tuple((_date(w), int(pct)) for w, pct in p.get("weeks", ())),
            )
            for p in data.get("placements", ())
        ),
        explanations=tuple(
            Explanation(
                order_id=e["order_id"],
                plant_id=e["plant_id"],
                cost=_cost_from_json(e["cost"]),
                runner_up_plant_id=e.get("runner_up_plant_id"),
                runner_up_extra_cost=e.get("runner_up_extra_cost"),
                excluded=exclusions(e.get("excluded", ())),
                reason=e["reason"],
                period_start=_date(e["period_start"]) if e.get("period_start") else None,
            )
            for e in data.get("explanations", ())
        ),
        unplaced=tuple(
            Unplaced(u["order_id"], exclusions(u.get("reasons", ())), u["message"])
            for u in data.get("unplaced", ())
        ),
        loads=tuple(
            Load(
                plant_id=ld["plant_id"],
                work_centre_type=ld["work_centre_type"],
                period_start=_date(ld["period_start"]),
                hours=ld["hours"],
                capacity=ld["capacity"],
            )
            for ld in data.get("loads", ())
        ),
    )
