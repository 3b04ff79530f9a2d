"""From an assignment (order parts to plant-weeks) to a Plan that explains itself.

Both engines end here, so that a greedy plan and a CP-SAT plan are costed,
explained and reported the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from .instance import EPS, Instance, hours, money
from .model import (
    CAPACITY,
    Exclusion,
    Explanation,
    Load,
    Placement,
    Plan,
    Unplaced,
)

Part = tuple[int, int, int, int]  # (order, plant, week, quantity), indices into the Problem
# The spread model: (order, plant) -> ((week, percent of the order's load), ...)
Spread = dict[tuple[int, int], tuple[tuple[int, int], ...]]
FULL_LISTED = 5  # cheaper plants without room listed per placement (the reason counts all)


def plan_build(
    inst: Instance,
    parts: list[Part],
    *,
    status: str,
    engine: str,
    best_bound: float | None,
    gap: float | None,
    build_seconds: float,
    solve_seconds: float,
    notes: list[str] = (),
    spread: Spread | None = None,
) -> Plan:
    """The Plan for `parts` (free orders only; locked orders are added here).
    `spread` (the spread model): for the (order, plant) of a part, its load over
    weeks as (week, percent of the order's load), the part's week the first."""
    spread = dict(spread or {})
    spread.update({(lp.order, lp.plant): lp.weeks for lp in inst.locked_parts if lp.weeks})
    all_parts = [(lp.order, lp.plant, lp.week, lp.quantity) for lp in inst.locked_parts]
    all_parts += [p for p in parts if p[3] > 0]
    loads = np.zeros_like(inst.cap)
    by_order: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for o, p, w, q in all_parts:
        weeks = spread.get((o, p))
        if weeks:
            # Percents of the order's load (of the part's, for a locked part).
            whole = inst.load(o, p, q if inst.is_locked[o] else int(inst.qty[o]))
            for wk, pct in weeks:
                loads[p, :, wk] += whole * pct / 100
        else:
            loads[p, :, w] += inst.load(o, p, q)
        by_order[o].append((p, w, q))

    placements, explanations, costs = [], [], {}
    for o in sorted(by_order):
        order_parts = sorted(by_order[o], key=lambda part: (part[1], part[0]))
        placed: dict[int, int] = defaultdict(int)
        for p, _w, q in order_parts:
            placed[p] += q
        move = inst.move_cost(o, placed)
        total_q = sum(q for _p, _w, q in order_parts)
        for p, w, q in order_parts:
            cost = inst.part_cost(o, p, w, q, move * q / total_q)
            weeks = spread.get((o, p)) or ()
            last = w
            if weeks:
                units = q if inst.is_locked[o] else int(inst.qty[o])
                late = sum(float(inst.late_unit[o, wk]) * units * pct / 100 for wk, pct in weeks)
                cost = replace(cost, lateness=late)
                last = max(wk for wk, _pct in weeks)
            costs[o, p, w] = cost
            placements.append(
                Placement(
                    order_id=inst.orders[o].id,
                    plant_id=inst.plants[p].id,
                    quantity=q,
                    period_start=inst.periods[w],
                    days_late=int(inst.late_days[o, last]),
                    cost=cost,
                    weeks=tuple((inst.periods[wk], int(pct)) for wk, pct in weeks),
                )
            )
        for p, w, q in order_parts:
            explanations.append(
                _explain(inst, o, p, w, q, costs[o, p, w], order_parts, loads, engine)
            )

    unplaced, penalty = [], 0.0
    for o in range(inst.n_orders):
        if o in by_order:
            continue
        penalty += inst.penalty[o]
        unplaced.append(_unplaced(inst, o, loads, engine))

    objective = None
    if status != "no_solution":
        objective = sum(p.cost.total for p in placements) + penalty
    if status == "no_solution":
        placements, explanations, unplaced = [], [], []
    return Plan(
        status=status,
        engine=engine,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        placements=tuple(placements),
        explanations=tuple(explanations),
        unplaced=tuple(unplaced),
        loads=_loads(inst, loads) if status != "no_solution" else (),
        notes=tuple(notes) + tuple(inst.notes),
        unplaced_penalty=penalty,
    )


def assignment_cost(inst: Instance, parts: list[Part]) -> float:
    """The objective of an assignment of free orders, without building a Plan."""
    by_order: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    total = 0.0
    for o, p, w, q in parts:
        total += inst.part_cost(o, p, w, q).total
        by_order[o][p] += q
    for o, placed in by_order.items():
        total += inst.move_cost(o, placed)
    unplaced = [o for o in range(inst.n_orders) if o not in by_order and not inst.is_locked[o]]
    return total + float(inst.penalty[unplaced].sum())


def _loads(inst: Instance, loads: np.ndarray) -> tuple[Load, ...]:
    cells = np.nonzero((inst.cap > EPS) | (loads > EPS))
    return tuple(
        Load(
            plant_id=inst.plants[p].id,
            work_centre_type=inst.types[t],
            period_start=inst.periods[w],
            hours=round(float(loads[p, t, w]), 3),
            capacity=round(float(inst.cap[p, t, w]), 3),
        )
        for p, t, w in zip(*cells, strict=True)
    )


def _room(inst: Instance, loads: np.ndarray, o: int, p: int, w: int, q: int):
    """None if q units of order o fit at plant p in week w on top of `loads`, else
    (type, booked, capacity, needed) for the type that overflows most."""
    need = inst.load(o, p, q)
    ts = inst.types_needed(o, p)
    over = [(loads[p, t, w] + need[t] - inst.cap[p, t, w], t) for t in ts]
    over = [(x, t) for x, t in over if x > 1e-6]
    if not over:
        return None
    _x, t = max(over)
    return t, loads[p, t, w], inst.cap[p, t, w], need[t]


def _name(inst: Instance, p: int) -> str:
    return inst.plants[p].name or inst.plants[p].id


def _explain(inst, o, p, w, q, cost, order_parts, loads, engine) -> Explanation:
    order = inst.orders[o]
    static = tuple(inst.exclusions[o][k] for k in sorted(inst.exclusions[o]))
    period = inst.periods[w]
    if inst.is_locked[o]:
        return Explanation(
            order_id=order.id,
            plant_id=inst.plants[p].id,
            cost=cost,
            runner_up_plant_id=None,
            runner_up_extra_cost=None,
            excluded=static,
            reason=f"Locked: stays at {_name(inst, p)}, where it is dispatched.",
            period_start=period,
        )
    used = {part[0] for part in order_parts}
    others = np.array([x for x in inst.eligible[o] if x != p], dtype=np.int64)
    runner, extra = None, None
    dynamic: list[Exclusion] = []
    missed: list[tuple[int, float]] = []
    full: list[tuple[int, float]] = []
    if len(others):
        weeks = np.array(
            [inst.nearest_week(inst.fit_weeks[o][x], w) for x in others], dtype=np.int64
        )
        alt = inst.part_cost_vector(o, others, q) + inst.late_unit[o, weeks] * q
        best = int(np.argmin(alt))
        runner, extra = int(others[best]), float(alt[best] - cost.total)
        for i in np.argsort(alt, kind="stable"):
            if alt[i] >= cost.total - 0.005:
                break
            x, wx = int(others[i]), int(weeks[i])
            if x in used:
                continue
            room = _room(inst, loads, o, x, wx, q)
            saving = cost.total - float(alt[i])
            if room is None:
                missed.append((x, saving))
                continue
            t, booked, capacity, need = room
            full.append((x, saving))
            if len(dynamic) >= FULL_LISTED:
                continue
            dynamic.append(
                Exclusion(
                    inst.plants[x].id,
                    CAPACITY,
                    f"{_name(inst, x)} would cost {money(saving)} less but had no room in the "
                    f"week of {inst.periods[wx].isoformat()}: its {inst.types[t]} was booked "
                    f"{hours(booked)} of {hours(capacity)} and this needs {hours(need)}.",
                )
            )
    reason = _reason(inst, o, p, w, q, cost, order_parts, runner, extra, full, missed, engine)
    return Explanation(
        order_id=order.id,
        plant_id=inst.plants[p].id,
        cost=cost,
        runner_up_plant_id=inst.plants[runner].id if runner is not None else None,
        runner_up_extra_cost=round(extra, 2) if extra is not None else None,
        excluded=tuple(dynamic) + static,
        reason=reason,
        period_start=period,
    )


def _reason(inst, o, p, w, q, cost, order_parts, runner, extra, full, missed, engine) -> str:
    order = inst.orders[o]
    here = _name(inst, p)
    if len(order_parts) > 1:
        lead = (
            f"Split into {len(order_parts)} parts of at least {order.split.min_lot} units; "
            f"{q} units at {here}"
        )
    else:
        lead = here
    if runner is None:
        clauses = [f"{lead}: the only plant that can make it"]
    elif full:
        names = ", ".join(_name(inst, x) for x, _s in full[:3])
        more = f" and {len(full) - 3} more" if len(full) > 3 else ""
        clauses = [f"{lead}: {len(full)} cheaper plant(s) had no room ({names}{more})"]
        if extra is not None and extra >= 0:
            clauses.append(f"{_name(inst, runner)} would cost {money(extra)} more")
    elif missed:
        x, saving = missed[0]
        who = "the greedy planner takes" if engine == "greedy" else "the search kept"
        clauses = [
            f"{lead}: {_name(inst, x)} had room and would cost {money(saving)} less, "
            f"but {who} this one"
        ]
    elif cost.move == 0 and inst.move_rate and p in inst.current[o] and runner is not None:
        clauses = [
            f"{lead}: stays where it is dispatched; {_name(inst, runner)} would cost "
            f"{money(extra)} more including moving it"
        ]
    else:
        clauses = [f"{lead}: the cheapest plant that can make it"]
        clauses.append(f"{_name(inst, runner)} would cost {money(extra)} more")
    days = int(inst.late_days[o, w])
    if days:
        unit = "day" if days == 1 else "days"
        clauses.append(f"made in the week of {inst.periods[w].isoformat()}, {days} {unit} late")
    return "; ".join(clauses) + "."


def _unplaced(inst: Instance, o: int, loads: np.ndarray, engine: str) -> Unplaced:
    order = inst.orders[o]
    static = tuple(inst.exclusions[o][k] for k in sorted(inst.exclusions[o]))
    eligible = inst.eligible[o]
    if not len(eligible):
        too_small = [e for e in static if e.reason == CAPACITY]
        if not inst.plants:
            message = "There are no plants to plan with."
        elif too_small:
            # The plant that comes closest, and by how much it falls short.
            closest = [(inst.shortfall(o, inst.plant_index[e.plant_id]), e) for e in too_small]
            (t, need, best), e = min(closest, key=lambda c: c[0][1] - c[0][2])
            what = "a part of it" if inst.is_split(o) else "it"
            message = (
                f"Not enough capacity: {len(too_small)} plant(s) could make it but none has a "
                f"week with room: {what} needs {hours(need)} of {inst.types[t]} in one week, "
                f"at most {hours(best)} at {_name(inst, inst.plant_index[e.plant_id])}."
            )
            others = [e for e in static if e.reason != CAPACITY]
            if others:
                message += f" Other plants: {inst.reason_counts(others)}."
        else:
            message = f"No plant can make it: {inst.reason_counts(static)}."
        return Unplaced(order_id=order.id, reasons=static, message=message)
    lot = int(inst.min_part[o])
    dynamic = []
    shortfall = None  # at the plant that comes closest: (type, need, best week, all weeks)
    room_at = None
    for p in eligible:
        need = inst.load(o, p, lot)
        ts = inst.types_needed(o, p)
        free = inst.cap[p] - loads[p]  # [T, W]
        ok_weeks = [
            w for w in inst.fit_weeks[o][int(p)] if all(free[t, w] >= need[t] - 1e-6 for t in ts)
        ]
        if ok_weeks:
            room_at = room_at if room_at is not None else (int(p), ok_weeks[0])
            continue
        t, needed, best = inst.shortfall(o, int(p), free)
        dynamic.append(
            Exclusion(
                inst.plants[p].id,
                CAPACITY,
                f"{_name(inst, p)} had no room in any week: {hours(needed)} of "
                f"{inst.types[t]} needed, {hours(best)} free in its closest week.",
            )
        )
        total = float(np.maximum(free[t], 0).sum())
        if shortfall is None or needed - best < shortfall[1] - shortfall[2]:
            shortfall = (t, needed, best, total)
    what = "a part of it" if inst.is_split(o) else "it"
    if room_at is not None:
        p, w = room_at
        whole = _room(inst, loads, o, p, w, int(inst.qty[o])) is None
        if engine == "greedy" and not whole:
            why = "the greedy planner does not split orders"
        else:
            why = "the search stopped before placing it"
        message = (
            f"Left unplaced although {_name(inst, p)} had room for "
            f"{'it' if whole else 'a part of it'} in the week of "
            f"{inst.periods[w].isoformat()}: {why}."
        )
    else:
        t, need, best, total = shortfall
        message = (
            f"Not enough capacity at the {len(eligible)} eligible plant(s) in the planning "
            f"weeks: {what} needs {hours(need)} of {inst.types[t]} in one week; the plant that "
            f"comes closest has {hours(best)} free in its best week ({hours(total)} in all "
            "weeks)."
        )
    return Unplaced(order_id=order.id, reasons=tuple(dynamic) + static, message=message)
