"""The spread model: an order's load may spread over several weeks at its plant.

The single-week model (single_week.py) puts each order, or each equal part of it,
in one plant-week; orders that need most of a plant-week leave holes no whole
order fits, and the LP bound (fractions of orders) stays far below the plans.
Here, per order that is not locked:
- a Boolean x[p] per candidate plant p (the order, or a share of it, is made
  there) and u ("unplaced");
- an integer y[p, w] in 0..100 per candidate week w at p: the percent of the
  order's load made at p in week w;
- unsplit: sum_p x[p] + u = 1 and sum_w y[p, w] = 100 x[p];
- splittable: at most max_parts plants, sum_p,w y + 100 u = 100, and per plant
  ceil(100 min_lot / quantity) x[p] <= sum_w y[p, w] <= 100 x[p] (every share at
  least min_lot units).
Cost: the fixed costs of the order (unsplit: all but lateness, as in the
single-week model) or of a share (setup cost and setup hours' production) x
x[p]; per percent, the per-unit costs x quantity / 100 (splittable) and the
lateness of week w (penalty x units x days late / 100). Move cost as in the
single-week model, from the units each plant makes. Capacity per (plant,
work-centre type, week): sum of the order's whole load x y / 100 <= free hours
(the setup hours of a split order are shared by its plants pro rata). Locked
orders are fixed: at their plant, spread back from the due week over weeks with
room (Instance(spread_locked=True)).

A Placement per (order, plant): `period_start` the first week with load,
`days_late` that of the last, `weeks` the percent per week.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from .cpsat import (
    MAX_VARIABLES,
    CpSatModel,
    candidates_build,
    candidates_with,
    check_arguments,
    start_parts,
)
from .explain import Part, Spread, plan_build
from .instance import COST_SCALE, Instance
from .model import Plan, Problem, Progress
from .validate import problem_check


def solve_spread(
    problem: Problem,
    *,
    time_limit: float = 30,
    workers: int = 2,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    hint: Plan | None = None,
    max_variables: int = MAX_VARIABLES,
    seed: int = 0,
) -> Plan:
    """The cheapest spread plan CP-SAT finds within `time_limit` seconds."""
    check_arguments(time_limit, workers)
    started = time.perf_counter()
    problem_check(problem)
    inst = Instance(problem, spread_locked=True)
    candidates, notes = candidates_build(inst, max_variables, _open_weeks(inst))
    start = start_parts(inst, hint)
    candidates = candidates_with(candidates, start)
    model = SpreadModel(inst, candidates)
    model.hint(_spread_start(inst, candidates, start))
    build_seconds = time.perf_counter() - started
    result = model.run(
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        should_stop=should_stop,
        seed=seed,
    )
    parts, spread = result.parts if result.parts else ([], {})
    return plan_build(
        inst,
        parts,
        status=result.status,
        engine="cp-sat",
        best_bound=result.best_bound,
        gap=result.gap,
        build_seconds=build_seconds,
        solve_seconds=result.seconds,
        spread=spread,
        notes=[
            *notes,
            f"Model (spread over weeks): {len(model.vars):,} variables, "
            f"{model.n_constraints:,} capacity constraints, {len(model.unplaced):,} orders "
            "to place.",
        ],
    )


def _open_weeks(inst: Instance) -> list[dict[int, np.ndarray]]:
    """Per order, its eligible plants -> the open weeks with some free time on
    every work-centre type the order needs there."""
    out: list[dict[int, np.ndarray]] = []
    for o in range(inst.n_orders):
        weeks = {}
        for p in inst.fit_weeks[o]:
            ts = inst.types_needed(o, p)
            room = (inst.free_int[p][ts] > 0).all(axis=0) & inst.open_weeks
            weeks[p] = np.nonzero(room)[0]
        out.append(weeks)
    return out


class SpreadModel(CpSatModel):
    """The spread CP-SAT model (above) over `candidates` (per order: plant ->
    weeks); `hint` sets where the search starts, `run` (CpSatModel) searches,
    and its parts are (parts, spread)."""

    def __init__(self, inst: Instance, candidates: list[dict[int, np.ndarray]]):
        self.inst = inst
        self.model = m = cp_model.CpModel()
        self.vars: list[cp_model.IntVar] = []
        self.candidates = candidates
        # Per order: plants, x ids, and per plant (weeks, y ids).
        self.orders: dict[int, tuple[list[int], list[int], list[tuple[np.ndarray, np.ndarray]]]]
        self.orders = {}
        self.unplaced: dict[int, int] = {}
        self.moved: dict[int, dict[int, int]] = {}
        self.constant = sum(_locked_cost(inst, lp) for lp in inst.locked_parts)
        T, W = inst.n_types, inst.n_weeks
        V = self.vars
        terms: list[tuple[int, int]] = []  # objective (variable, cents)
        cells: dict[int, list[tuple[int, int]]] = defaultdict(list)  # cell -> (var, load)

        def new(upper=1):
            V.append(m.new_bool_var("") if upper == 1 else m.new_int_var(0, upper, ""))
            return len(V) - 1

        for o in range(inst.n_orders):
            cand = candidates[o]
            if inst.is_locked[o] or not inst.penalty[o]:
                continue
            if not cand:
                self.constant += inst.penalty[o]
                continue
            q = int(inst.qty[o])
            split = inst.is_split(o)
            u = self.unplaced[o] = new()
            terms.append((u, inst.cost_scaled(inst.penalty[o])))
            plants, xs, ys = [], [], []
            loads = inst.load_int(inst.load_matrix(o, float(q)))  # [P, T], whole order
            lot = -(-100 * int(self.inst.orders[o].split.min_lot) // q) if split else 0
            for p, weeks in cand.items():
                weeks = np.asarray(weeks, dtype=np.int64)
                x = new()
                y = np.array([new(100) for _ in weeks], dtype=np.int64)
                plants.append(int(p))
                xs.append(x)
                ys.append((weeks, y))
                total = cp_model.LinearExpr.sum([V[i] for i in y.tolist()])
                if split:
                    fixed, unit = inst.unit_cost(o, int(p))
                    m.add(total <= 100 * V[x])
                    m.add(total >= lot * V[x])
                    terms.append((x, int(np.rint(fixed * COST_SCALE))))
                    per_pct = (unit + inst.late_unit[o, weeks]) * q  # cents per percent
                else:
                    m.add(total == 100 * V[x])
                    terms.append((x, int(np.rint(inst.full_cost[o, p] * COST_SCALE))))
                    per_pct = inst.late_unit[o, weeks] * q
                coefs = np.rint(per_pct).astype(np.int64)
                terms += [(i, c) for i, c in zip(y.tolist(), coefs.tolist(), strict=True) if c]
                for t in np.nonzero(loads[p] > 0)[0]:
                    for w, i in zip(weeks.tolist(), y.tolist(), strict=True):
                        cells[(int(p) * T + int(t)) * W + w].append((i, int(loads[p, t])))
            self.orders[o] = (plants, xs, ys)
            if split:
                m.add(sum(V[x] for x in xs) <= int(inst.split_parts[o]))
                every = [V[i] for _w, y in ys for i in y.tolist()]
                m.add(cp_model.LinearExpr.sum(every) + 100 * V[u] == 100)
                if inst.move_rate and inst.current[o]:
                    self.moved[o] = {}
                    for c, n_here in inst.current[o].items():
                        mc = self.moved[o][c] = new(n_here)
                        expr = [V[mc] * 100, V[u] * (100 * n_here)]
                        if c in plants:
                            _weeks, y = ys[plants.index(c)]
                            expr += [V[i] * q for i in y.tolist()]
                        m.add(sum(expr) >= 100 * n_here)
                        terms.append((mc, inst.cost_scaled(inst.move_rate)))
            else:
                m.add_exactly_one([V[x] for x in xs] + [V[u]])

        self.n_constraints = 0
        free = inst.free_int.reshape(-1)
        for cell, entries in cells.items():
            capacity = int(free[cell]) * 100
            if sum(load for _i, load in entries) * 100 <= capacity:
                continue  # the candidates cannot overflow it
            m.add(
                cp_model.LinearExpr.weighted_sum(
                    [V[i] for i, _l in entries], [load for _i, load in entries]
                )
                <= capacity
            )
            self.n_constraints += 1
        if terms:
            m.minimize(
                cp_model.LinearExpr.weighted_sum([V[i] for i, _c in terms], [c for _i, c in terms])
            )

    def hint(self, start: dict[int, dict[tuple[int, int], int]]) -> None:
        """Start from `start`: per order, (plant, week) -> percent."""
        m, V = self.model, self.vars
        for o, (plants, xs, ys) in self.orders.items():
            share = start.get(o, {})
            q = int(self.inst.qty[o])
            per_plant: dict[int, int] = defaultdict(int)
            for (p, _w), pct in share.items():
                per_plant[p] += pct
            for p, x, (weeks, y) in zip(plants, xs, ys, strict=True):
                m.add_hint(V[x], int(per_plant.get(p, 0) > 0))
                for w, i in zip(weeks.tolist(), y.tolist(), strict=True):
                    m.add_hint(V[i], share.get((p, w), 0))
            m.add_hint(V[self.unplaced[o]], 0 if share else 1)
            for c, mc in self.moved.get(o, {}).items():
                n = self.inst.current[o][c]
                moved = -(-(100 * n - q * per_plant.get(c, 0)) // 100)
                m.add_hint(V[mc], max(0, moved) if share else 0)

    def solution_parts(self, solver) -> tuple[list[Part], Spread]:
        values = np.fromiter(solver.response_proto.solution, dtype=np.int64)
        parts: list[Part] = []
        spread: Spread = {}
        for o, (plants, _xs, ys) in self.orders.items():
            q = int(self.inst.qty[o])
            shares = []
            for p, (weeks, y) in zip(plants, ys, strict=True):
                pct = values[y]
                if pct.sum() > 0:
                    on = np.nonzero(pct > 0)[0]
                    shares.append((p, tuple((int(weeks[i]), int(pct[i])) for i in on)))
            if not shares:
                continue
            units = _units([sum(pc for _w, pc in weeks) for _p, weeks in shares], q)
            for (p, weeks), n in zip(shares, units, strict=True):
                parts.append((o, p, weeks[0][0], n))
                spread[o, p] = weeks
        return parts, spread


def _spread_start(inst: Instance, candidates, parts: list[Part]):
    """The search's start: `parts` (one-week parts, each its share of the order in
    its week), then each order in turn re-placed where spreading it costs less,
    and those left unplaced spread into the capacity that is left where they fit.
    Per order: (plant, week) -> percent."""
    free = inst.free_int * 100  # per percent of an order's load, below
    start: dict[int, dict[tuple[int, int], int]] = {}
    by_order: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for o, p, w, q in parts:
        by_order[o][p, w] = by_order[o].get((p, w), 0) + q
    loads = {}
    for o, chosen in by_order.items():
        cells = list(chosen)
        pcts = _percents([chosen[c] for c in cells], int(inst.qty[o]))
        start[o] = {c: pct for c, pct in zip(cells, pcts, strict=True) if pct}
        if inst.is_split(o):
            lot = -(-100 * int(inst.orders[o].split.min_lot) // int(inst.qty[o]))
            per_plant: dict[int, int] = defaultdict(int)
            for (p, _w), pct in start[o].items():
                per_plant[p] += pct
            if min(per_plant.values(), default=lot) < lot:
                start[o] = {}  # rounding broke a share's min lot: re-placed below
        loads[o] = inst.load_int(inst.load_matrix(o, float(inst.qty[o])))
        for (p, w), pct in start[o].items():
            free[p, :, w] -= loads[o][p] * pct
    # Whole percents can load a cell a little more than the parts did: take the
    # orders in an overloaded cell out until it fits (the passes below re-place them).
    for o in sorted(start, key=lambda o: -int(inst.qty[o])):
        cells = start[o]
        if any((free[p, :, w] < 0).any() for p, w in cells):
            for (p, w), pct in cells.items():
                free[p, :, w] += loads[o][p] * pct
            start[o] = {}
    todo = [o for o in range(inst.n_orders) if candidates[o] and not inst.is_locked[o]]
    todo.sort(key=lambda o: (inst.orders[o].due_date, inst.orders[o].priority, o))
    # The unplaced first, those with the fewest plants first; then every order.
    unplaced = sorted((o for o in todo if not start.get(o)), key=lambda o: len(candidates[o]))
    for o in unplaced + todo + [o for o in unplaced if not start.get(o)]:
        load = loads.get(o)
        if load is None:
            load = loads[o] = inst.load_int(inst.load_matrix(o, float(inst.qty[o])))
        current = start.get(o)
        if current:
            for (p, w), pct in current.items():
                free[p, :, w] += load[p] * pct
        best = _spread_fill(inst, o, candidates[o], free, load)
        if best is not None and (not current or best[0] < _spread_cost(inst, o, current) - 0.005):
            current = best[1]
        if current:
            start[o] = current
            for (p, w), pct in current.items():
                free[p, :, w] -= load[p] * pct
    return start


def _spread_cost(inst: Instance, o: int, share: dict[tuple[int, int], int]) -> float:
    """Cost of an order spread as `share` (without the move of split orders)."""
    q = int(inst.qty[o])
    plants = {p for p, _w in share}
    late = sum(float(inst.late_unit[o, w]) * q * pct / 100 for (_p, w), pct in share.items())
    if not inst.is_split(o):
        return float(inst.full_cost[o, next(iter(plants))]) + late
    cost = late
    for p in plants:
        fixed, unit = inst.unit_cost(o, p)
        pct = sum(v for (x, _w), v in share.items() if x == p)
        cost += fixed + unit * q * pct / 100
    return cost


def _spread_fill(inst: Instance, o: int, candidates, free, load):
    """The cheapest way to spread order o into `free` at one plant (or, split,
    over its cheapest plants): (cost, (plant, week) -> percent), or None."""
    q = int(inst.qty[o])
    sequence = inst.week_order(o)
    options = []
    for p, weeks in candidates.items():
        allowed = set(np.asarray(weeks).tolist())
        ts = np.nonzero(load[p] > 0)[0]
        left, share = 100, {}
        for w in sequence:
            if not left:
                break
            if w not in allowed:
                continue
            room = int((free[p, ts, w] // load[p, ts]).min()) if len(ts) else left
            pct = min(left, room)
            if pct > 0:
                share[p, w] = pct
                left -= pct
        options.append((left, p, share))
    whole = [(_spread_cost(inst, o, share), share) for left, _p, share in options if not left]
    if whole and not inst.is_split(o):
        return min(whole, key=lambda c: c[0])
    if not inst.is_split(o):
        return None
    # Split: also the cheapest plants first, each share at least min_lot.
    lot = -(-100 * int(inst.orders[o].split.min_lot) // q)
    ranked = sorted(options, key=lambda c: inst.full_cost[o, c[1]])
    left, share, used = 100, {}, 0
    for room_left, _p, cells in ranked:
        if not left or used >= inst.split_parts[o]:
            break
        take = min(100 - room_left, left)
        if 0 < left - take < lot:
            take = left - lot  # leave a share of at least min_lot for another plant
        if take < lot:
            continue
        taken = 0
        for cell, pct in cells.items():
            part = min(pct, take - taken)
            if part > 0:
                share[cell] = part
                taken += part
        left -= taken
        used += 1
    if not left:
        whole.append((_spread_cost(inst, o, share), share))
    return min(whole, key=lambda c: c[0]) if whole else None


def _percents(quantities: list[int], total: int) -> list[int]:
    """Whole percents of `total` for `quantities` (which sum to it), summing to 100."""
    if not quantities:
        return []
    return _largest_remainder([100 * n / total for n in quantities], 100)


def _units(percents: list[int], total: int) -> list[int]:
    """Units of `total` for shares in percent (summing to 100): each at least the
    floor of its exact share, summing to `total`."""
    return _largest_remainder([total * pct / 100 for pct in percents], total)


def _largest_remainder(exact: list[float], total: int) -> list[int]:
    out = [int(np.floor(v + 1e-9)) for v in exact]
    rest = total - sum(out)
    order = sorted(range(len(exact)), key=lambda i: out[i] - exact[i])
    for i in order[: max(rest, 0)]:
        out[i] += 1
    return out


def _locked_cost(inst: Instance, lp) -> float:
    """A locked part's cost, its lateness that of the weeks it is spread over."""
    cost = inst.part_cost(lp.order, lp.plant, lp.week, lp.quantity)
    if not lp.weeks:
        return cost.total
    late = sum(float(inst.late_unit[lp.order, w]) * lp.quantity * pct / 100 for w, pct in lp.weeks)
    return cost.total - cost.lateness + late
