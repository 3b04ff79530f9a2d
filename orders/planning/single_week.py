"""The single-week CP-SAT model: which plant makes which order, in which week.

The model, per order that is not locked:
- unsplit: a Boolean x[p, w] per candidate plant p and production week w, and
  u ("unplaced"): exactly one of them is true. Its cost (production, setup,
  material, freight, move, and lateness of week w) is a constant per (p, w).
- splittable (`Split`): made whole or in n equal parts at n distinct plant-weeks
  (n up to max_parts, every part at least min_lot). A Boolean z[n] per n and
  x[n][p, w] per candidate with sum(x[n]) = n * z[n]; exactly one of the z and u.
  A part costs the fixed costs (setup cost, setup hours) plus the per-unit costs
  (run hours, material, freight, lateness of week w) x quantity / n. Move cost
  through m[c] >= current[c] - sum (quantity // n) x[n][c, w] for each plant c
  where the order is dispatched.
Capacity, per (plant, work-centre type, week) where the candidates could
overflow it: the sum of their standard hours (integer, 1/10000 h) <= the free
hours (after locked orders). The objective is the cost in cents plus, for each
unplaced order, its penalty (see Instance._penalties), so the model is never
infeasible: an order that cannot be placed is reported with why.
Locked orders are not variables: they stay where `current` says, in the latest
week up to their due week where they fit, and use capacity first.

Candidates: the plants that may make the order (Instance.eligible) in the weeks
where it fits on its own. When that is more than `max_variables`, weeks are
narrowed to a window around the due week and then plants to the cheapest K per
order (always keeping where it is dispatched); the Plan's notes say so, and
then the best bound is the bound of that smaller model. The search starts from
the cheaper of the greedy plan and a greedy plan that splits (its plant-weeks
are always candidates, so the result is never worse than either).
"""

from __future__ import annotations

import time
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
from .explain import Part, plan_build
from .instance import COST_SCALE, Instance
from .model import Plan, Problem, Progress
from .validate import problem_check


def solve_single_week(
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
    """The cheapest single-week plan CP-SAT finds within `time_limit` seconds."""
    check_arguments(time_limit, workers)
    started = time.perf_counter()
    problem_check(problem)
    inst = Instance(problem, spread_locked=True)
    candidates, notes = candidates_build(inst, max_variables)
    start = start_parts(inst, hint)
    candidates = candidates_with(candidates, start)
    model = SingleWeekModel(inst, candidates)
    model.hint(start)
    build_seconds = time.perf_counter() - started
    result = model.run(
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        should_stop=should_stop,
        seed=seed,
    )
    return plan_build(
        inst,
        result.parts,
        status=result.status,
        engine="cp-sat",
        best_bound=result.best_bound,
        gap=result.gap,
        build_seconds=build_seconds,
        solve_seconds=result.seconds,
        notes=[
            *notes,
            f"Model: {len(model.vars):,} variables, {model.n_constraints:,} capacity "
            f"constraints, {len(model.unplaced):,} orders to place.",
        ],
    )


class SingleWeekModel(CpSatModel):
    """The single-week CP-SAT model (above) over `candidates` (per order: plant ->
    weeks); `hint` sets where the search starts, `run` (CpSatModel) searches."""

    def __init__(self, inst: Instance, candidates: list[dict[int, np.ndarray]]):
        self.inst = inst
        self.model = m = cp_model.CpModel()
        T, W = inst.n_types, inst.n_weeks
        self.vars: list[cp_model.IntVar] = []
        obj_idx: list[np.ndarray] = []
        obj_coef: list[np.ndarray] = []
        cell_cells: list[np.ndarray] = []  # capacity terms: cell, variable, coefficient, max
        cell_vars: list[np.ndarray] = []
        cell_coef: list[np.ndarray] = []
        cell_max: list[np.ndarray] = []
        self.unsplit: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.split: dict[int, list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.moved: dict[int, dict[int, int]] = {}
        self.unplaced: dict[int, int] = {}
        self.constant = sum(
            inst.part_cost(lp.order, lp.plant, lp.week, lp.quantity).total
            for lp in inst.locked_parts
        )

        def new_vars(n, upper=1):
            start = len(self.vars)
            if upper == 1:
                self.vars.extend(m.new_bool_var("") for _ in range(n))
            else:
                self.vars.extend(m.new_int_var(0, upper, "") for _ in range(n))
            return np.arange(start, start + n, dtype=np.int64)

        def capacity_terms(ps, ws, var_ids, loads, reach):
            for t in np.nonzero(loads.any(axis=0))[0]:
                nz = loads[:, t] > 0
                cell_cells.append((ps[nz] * T + t) * W + ws[nz])
                cell_vars.append(var_ids[nz])
                cell_coef.append(loads[nz, t])
                cell_max.append(reach[nz, t])

        for o in range(inst.n_orders):
            cand = candidates[o]
            if inst.is_locked[o] or not inst.penalty[o]:
                continue
            if not cand:
                self.constant += inst.penalty[o]
                continue
            ps = np.concatenate([np.full(len(ws), p, dtype=np.int64) for p, ws in cand.items()])
            ws = np.concatenate(list(cand.values())).astype(np.int64)
            q = int(inst.qty[o])
            u = new_vars(1)[0]
            self.unplaced[o] = u
            obj_idx.append(np.array([u]))
            obj_coef.append(np.array([inst.cost_scaled(inst.penalty[o])]))
            if not inst.is_split(o):
                x = new_vars(len(ps))
                self.unsplit[o] = (ps, ws, x)
                m.add_exactly_one([self.vars[i] for i in x] + [self.vars[u]])
                cost = inst.full_cost[o, ps] + inst.late_unit[o, ws] * q
                obj_idx.append(x)
                obj_coef.append(np.rint(cost * COST_SCALE).astype(np.int64))
                loads = inst.load_int(inst.load_matrix(o, float(q))[ps])
                capacity_terms(ps, ws, x, loads, loads)
                continue
            # A splittable order: made whole (n = 1) or in n equal parts at n distinct
            # plant-weeks, n up to max_parts with parts of at least min_lot. One
            # Boolean z[n] per n and x[n][p, w] per candidate: sum(x[n]) = n * z[n].
            options = []
            for n in range(1, int(inst.split_parts[o]) + 1):
                size = -(-q // n)  # the largest part, for capacity
                loads = inst.load_int(inst.load_matrix(o, float(size))[ps])
                fit = (inst.free_int[ps, :, ws] >= loads).all(axis=1)
                if fit.sum() < n:
                    continue
                pn, wn, loads = ps[fit], ws[fit], loads[fit]
                x = new_vars(len(pn))
                z = new_vars(1)[0]
                m.add(cp_model.LinearExpr.sum([self.vars[i] for i in x]) == n * self.vars[z])
                fixed, unit = np.zeros(len(pn)), np.zeros(len(pn))
                for p in np.unique(pn):
                    fixed[pn == p], unit[pn == p] = inst.unit_cost(o, int(p))
                cost = fixed + (unit + inst.late_unit[o, wn]) * (q / n)
                obj_idx.append(x)
                obj_coef.append(np.rint(cost * COST_SCALE).astype(np.int64))
                capacity_terms(pn, wn, x, loads, loads)
                options.append((n, z, pn, wn, x))
            self.split[o] = options
            m.add_exactly_one([self.vars[z] for _n, z, _p, _w, _x in options] + [self.vars[u]])
            if inst.move_rate and inst.current[o]:
                self.moved[o] = {}
                for c, n_here in inst.current[o].items():
                    mc = new_vars(1, upper=n_here)[0]
                    self.moved[o][c] = mc
                    terms, coefs = [self.vars[mc], self.vars[u]], [1, n_here]
                    for n, _z, pn, _wn, x in options:
                        for i in x[pn == c].tolist():
                            terms.append(self.vars[i])
                            coefs.append(q // n)
                    m.add(cp_model.LinearExpr.weighted_sum(terms, coefs) >= n_here)
                    obj_idx.append(np.array([mc]))
                    obj_coef.append(np.array([inst.cost_scaled(inst.move_rate)]))

        self.n_constraints = 0
        if cell_cells:
            cells = np.concatenate(cell_cells)
            var_ids = np.concatenate(cell_vars)
            coefs = np.concatenate(cell_coef)
            reach = np.concatenate(cell_max)
            capacity = inst.free_int.reshape(-1)
            # Only cells the candidates could overflow need a constraint.
            demand = np.bincount(cells, weights=reach.astype(float), minlength=capacity.size)
            order = np.argsort(cells, kind="stable")
            cells, var_ids, coefs = cells[order], var_ids[order], coefs[order]
            bounds = np.searchsorted(cells, np.arange(capacity.size + 1))
            for cell in np.nonzero(demand > capacity)[0]:
                a, b = bounds[cell], bounds[cell + 1]
                m.add(
                    cp_model.LinearExpr.weighted_sum(
                        [self.vars[i] for i in var_ids[a:b].tolist()], coefs[a:b].tolist()
                    )
                    <= int(capacity[cell])
                )
                self.n_constraints += 1
        if obj_idx:
            idx = np.concatenate(obj_idx)
            coef = np.concatenate(obj_coef)
            m.minimize(
                cp_model.LinearExpr.weighted_sum(
                    [self.vars[i] for i in idx.tolist()], coef.tolist()
                )
            )
        self.candidates = candidates

    # --- hint ---------------------------------------------------------------------

    def hint(self, parts: list[Part]) -> None:
        """Start the search from `parts` (a complete assignment where it maps)."""
        by_order: dict[int, dict[tuple[int, int], int]] = {}
        for o, p, w, q in parts:
            by_order.setdefault(o, {})[p, w] = by_order.get(o, {}).get((p, w), 0) + q
        m, V = self.model, self.vars
        for o, u in self.unplaced.items():
            chosen = by_order.get(o, {})
            if o in self.unsplit:
                ps, ws, x = self.unsplit[o]
                values = np.array([(int(p), int(w)) in chosen for p, w in zip(ps, ws, strict=True)])
                if chosen and values.sum() != 1:
                    continue
                for i, v in zip(x.tolist(), values.tolist(), strict=True):
                    m.add_hint(V[i], int(v))
                m.add_hint(V[u], 0 if chosen else 1)
            else:
                options = self.split[o]
                cells = {(p, w) for (p, w), n in chosen.items() if n > 0}
                match = [opt for opt in options if opt[0] == len(cells)]
                if chosen and not match:
                    continue
                for n, z, pn, wn, x in options:
                    on = bool(chosen) and n == len(cells)
                    hits = [(int(p), int(w)) in cells for p, w in zip(pn, wn, strict=True)]
                    if on and sum(hits) != n:
                        break
                    m.add_hint(V[z], int(on))
                    for i, hit in zip(x.tolist(), hits, strict=True):
                        m.add_hint(V[i], int(on and hit))
                m.add_hint(V[u], 0 if chosen else 1)
                placed: dict[int, int] = {}
                for (p, _w), n in chosen.items():
                    placed[p] = placed.get(p, 0) + n
                for c, mc in self.moved.get(o, {}).items():
                    n = self.inst.current[o][c]
                    m.add_hint(V[mc], max(0, n - placed.get(c, 0)) if chosen else 0)

    def solution_parts(self, solver) -> list[Part]:
        values = np.fromiter(solver.response_proto.solution, dtype=np.int64)
        parts: list[Part] = []
        for o, (ps, ws, x) in self.unsplit.items():
            on = np.nonzero(values[x] > 0)[0]
            parts += [(o, int(ps[i]), int(ws[i]), int(self.inst.qty[o])) for i in on]
        for o, options in self.split.items():
            q = int(self.inst.qty[o])
            for n, _z, pn, wn, x in options:
                on = np.nonzero(values[x] > 0)[0]
                sizes = [q // n + (1 if k < q % n else 0) for k in range(len(on))]
                parts += [
                    (o, int(pn[i]), int(wn[i]), size) for i, size in zip(on, sizes, strict=True)
                ]
        return parts
