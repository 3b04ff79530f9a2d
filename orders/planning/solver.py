"""Allocation with OR-Tools CP-SAT: which plant makes which order, in which week.

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

import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from .explain import Part, assignment_cost, plan_build
from .greedy import greedy_parts
from .instance import COST_SCALE, Instance
from .model import Plan, PlanningInputError, Problem, Progress
from .validate import problem_check

MAX_VARIABLES = 100_000
MODELS = ("single_week", "spread")
DEFAULT_MODEL = "single_week"
WINDOW_EARLY, WINDOW_LATE = 2, 2  # weeks before and after the due week when narrowing
MIN_PLANTS = 6  # plants per order kept at the least when narrowing
LIGHT_PRESOLVE_ABOVE = 20_000  # variables
PROGRESS_EVERY = 0.1  # seconds between progress reports (the last one is always sent)


def solve(
    problem: Problem,
    *,
    time_limit: float = 30,
    workers: int = 2,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    hint: Plan | None = None,
    max_variables: int = MAX_VARIABLES,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
) -> Plan:
    """The cheapest plan CP-SAT finds within `time_limit` seconds of search.
    `model`: "single_week" (each order or part in one plant-week, above) or
    "spread" (an order's load over several weeks at its plant, solver_spread)."""
    if model not in MODELS:
        raise PlanningInputError([("model", f"must be one of {', '.join(MODELS)} (got {model})")])
    if model == "spread":
        from .solver_spread import solve_spread

        return solve_spread(
            problem,
            time_limit=time_limit,
            workers=workers,
            on_progress=on_progress,
            should_stop=should_stop,
            hint=hint,
            max_variables=max_variables,
            seed=seed,
        )
    _check_arguments(time_limit, workers)
    started = time.perf_counter()
    problem_check(problem)
    inst = Instance(problem, spread_locked=True)
    candidates, notes = _candidates(inst, max_variables)
    start = start_parts(inst, hint)
    candidates = _with_cells(candidates, start)
    model = _Model(inst, candidates)
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


def _check_arguments(time_limit: float, workers: int) -> None:
    errors = []
    if not time_limit > 0:
        errors.append(("time_limit", f"must be more than 0 seconds (got {time_limit})"))
    if workers < 1:
        errors.append(("workers", f"must be at least 1 (got {workers})"))
    if errors:
        raise PlanningInputError(errors)


def start_parts(inst: Instance, hint: Plan | None) -> list[Part]:
    """Where the search starts: the cheaper of two greedy plans over all candidates
    (so that narrowing the model never makes the plan worse than the greedy one),
    with the orders `hint` places taken from it."""
    everywhere = [dict(weeks) for weeks in inst.fit_weeks]
    start = min(
        (_hint_parts(inst, everywhere), greedy_parts(inst)),
        key=lambda parts: assignment_cost(inst, parts),
    )
    if hint is not None:
        start = _merge_hint(inst, start, hint)
    return start


# --- candidates ---------------------------------------------------------------------


def _candidates(
    inst: Instance, budget: int, base: list[dict[int, np.ndarray]] | None = None
) -> tuple[list[dict[int, np.ndarray]], list[str]]:
    """Per order, plant -> candidate weeks (from `base`, default the weeks where
    the order fits); narrowed to about `budget` variables."""
    base = inst.fit_weeks if base is None else base
    free_orders = [o for o in range(inst.n_orders) if not inst.is_locked[o]]
    cands: list[dict[int, np.ndarray]] = [{} for _ in range(inst.n_orders)]
    for o in free_orders:
        cands[o] = dict(base[o])
    weight = np.where(inst.split_parts > 1, 2, 1)

    def size(c):
        return int(sum(weight[o] * sum(len(ws) for ws in c[o].values()) for o in free_orders))

    notes = []
    total = size(cands)
    if total <= budget:
        return cands, notes
    full = total
    windowed: list[dict[int, np.ndarray]] = [{} for _ in range(inst.n_orders)]
    for o in free_orders:
        due = int(inst.due_week[o])
        lo, hi = (due - WINDOW_EARLY, due + WINDOW_LATE) if due >= 0 else (0, WINDOW_LATE)
        for p, ws in cands[o].items():
            keep = ws[(ws >= lo) & (ws <= hi)]
            if len(keep):
                windowed[o][p] = keep
        if not windowed[o]:
            windowed[o] = cands[o]
    cands = windowed
    total = size(cands)
    notes.append(
        f"Narrowed production weeks to {WINDOW_EARLY} before and {WINDOW_LATE} after each "
        f"order's due week ({full:,} to {total:,} candidate variables)."
    )
    if total > budget:
        ranked = {}
        for o in free_orders:
            plants = np.fromiter(cands[o], dtype=np.int64)
            ranked[o] = plants[np.argsort(inst.full_cost[o, plants], kind="stable")]

        def top(k):
            out = [{} for _ in range(inst.n_orders)]
            for o in free_orders:
                keep = set(ranked[o][:k].tolist()) | (set(inst.current[o]) & set(cands[o]))
                out[o] = {p: cands[o][p] for p in keep}
            return out

        lo, hi = MIN_PLANTS, max((len(r) for r in ranked.values()), default=MIN_PLANTS)
        while lo < hi:  # the largest k within budget (or MIN_PLANTS)
            mid = (lo + hi + 1) // 2
            if size(top(mid)) <= budget:
                lo = mid
            else:
                hi = mid - 1
        before = total
        cands = top(lo)
        total = size(cands)
        notes.append(
            f"Kept each order's {lo} cheapest eligible plants (and where it is dispatched): "
            f"{before:,} to {total:,} candidate variables. The best bound is that of this "
            "narrowed model."
        )
    return cands, notes


# --- the CP-SAT model ---------------------------------------------------------------


class _Result:
    def __init__(self, status, parts, best_bound, gap, seconds):
        self.status, self.parts = status, parts
        self.best_bound, self.gap, self.seconds = best_bound, gap, seconds


class _Model:
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

    # --- search -------------------------------------------------------------------

    def run(self, *, time_limit, workers, on_progress, should_stop, seed) -> _Result:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = float(time_limit)
        solver.parameters.num_workers = int(workers)
        solver.parameters.random_seed = int(seed)
        if len(self.vars) > LIGHT_PRESOLVE_ABOVE:
            # Full presolve (probing above all) takes seconds on large models and
            # gains little here: start the search sooner.
            solver.parameters.max_presolve_iterations = 1
            solver.parameters.cp_model_probing_level = 0
            solver.parameters.symmetry_level = 0
        constant = self.constant
        progress = _ProgressReporter(on_progress, constant)
        stop = threading.Event()
        stopped = threading.Event()

        def watch():
            while not stop.wait(0.05):
                if should_stop():
                    stopped.set()
                    solver.stop_search()
                    return

        watcher = None
        if should_stop is not None:
            if should_stop():
                return _Result("no_solution", [], None, None, 0.0)
            watcher = threading.Thread(target=watch, name="planning-should-stop", daemon=True)
            watcher.start()
        if on_progress is not None:
            solver.best_bound_callback = progress.on_bound
        callback = _SolutionCallback(progress, should_stop, stopped)
        try:
            status = solver.solve(self.model, callback)
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()
        seconds = solver.wall_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            objective = solver.objective_value
            bound = max(solver.best_objective_bound, 0.0)  # every cost is >= 0
            progress.final(seconds, objective, bound)
            if status == cp_model.OPTIMAL:
                name = "optimal"
            else:
                name = "cancelled" if stopped.is_set() else "feasible"
            gap = _gap(objective + constant * COST_SCALE, bound + constant * COST_SCALE)
            if status == cp_model.OPTIMAL:
                gap = 0.0
            best_bound = bound / COST_SCALE + constant
            return _Result(name, self._parts(solver), best_bound, gap, seconds)
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            raise RuntimeError(f"CP-SAT: {solver.status_name(status)} (a bug in the model)")
        return _Result("no_solution", [], None, None, seconds)

    def _parts(self, solver) -> list[Part]:
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


def _gap(objective: float, bound: float) -> float:
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else 1.0
    return max(0.0, (objective - bound) / abs(objective))


class _ProgressReporter:
    """Sends Progress (objective and bound in currency, with locked orders' cost)
    on improving solutions and bounds, at most every PROGRESS_EVERY seconds."""

    def __init__(self, on_progress, constant):
        self.on_progress = on_progress
        self.constant = constant
        self.objective: float | None = None
        self.best_bound: float | None = None
        self.last_sent = -1.0
        self.lock = threading.Lock()
        self.started = time.perf_counter()
        self.pending = False

    def on_solution(self, elapsed, objective, bound):
        bound = max(bound, 0.0)
        with self.lock:
            self.objective = objective
            self.best_bound = bound if self.best_bound is None else max(bound, self.best_bound)
            self._send(elapsed)

    def on_bound(self, bound):
        bound = max(bound, 0.0)
        with self.lock:
            self.best_bound = bound if self.best_bound is None else max(bound, self.best_bound)
            if self.objective is not None:
                self._send(time.perf_counter() - self.started)

    def final(self, elapsed, objective, bound):
        with self.lock:
            self.objective, self.best_bound = objective, bound
            if self.pending:
                self._send(elapsed, force=True)

    def _send(self, elapsed, force=False):
        if self.on_progress is None:
            return
        if not force and elapsed - self.last_sent < PROGRESS_EVERY:
            self.pending = True
            return
        self.last_sent, self.pending = elapsed, False
        c = self.constant * COST_SCALE
        self.on_progress(
            Progress(
                elapsed=elapsed,
                objective=(self.objective + c) / COST_SCALE,
                best_bound=(self.best_bound + c) / COST_SCALE,
                gap=_gap(self.objective + c, self.best_bound + c),
            )
        )


class _SolutionCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: _ProgressReporter, should_stop, stopped):
        super().__init__()
        self.progress, self.should_stop, self.stopped = progress, should_stop, stopped

    def on_solution_callback(self):
        self.progress.on_solution(self.wall_time, self.objective_value, self.best_objective_bound)
        if self.should_stop is not None and self.should_stop():
            self.stopped.set()
            self.stop_search()


class _Options:
    """An order's candidate plant-weeks for the start heuristic: [c, W] masks and
    costs of the whole order, [c, T] loads, over its candidate plants c."""

    def __init__(self, inst: Instance, o: int, candidates: dict[int, np.ndarray]):
        self.plants = np.fromiter(candidates, dtype=np.int64)
        self.allowed = np.zeros((len(self.plants), inst.n_weeks), dtype=bool)
        for i, p in enumerate(self.plants):
            self.allowed[i, candidates[int(p)]] = True
        q = int(inst.qty[o])
        self.cost = inst.full_cost[o, self.plants][:, None] + inst.late_unit[o][None, :] * q
        self.load = inst.load_int(inst.load_matrix(o, float(q)))[self.plants]

    def room(self, free: np.ndarray) -> np.ndarray:
        return (free[self.plants] >= self.load[:, :, None]).all(axis=1) & self.allowed

    def best(self, free: np.ndarray):
        """(cost, i, w) of the cheapest cell with room, or None."""
        costs = np.where(self.room(free), self.cost, np.inf)
        i, w = np.unravel_index(np.argmin(costs), costs.shape)
        return None if not np.isfinite(costs[i, w]) else (float(costs[i, w]), int(i), int(w))

    def regret(self, free: np.ndarray) -> float:
        """How much is lost if the cheapest cell with room goes to another order."""
        costs = np.sort(np.where(self.room(free), self.cost, np.inf), axis=None)
        if not np.isfinite(costs[0]):
            return -np.inf
        return np.inf if len(costs) < 2 or not np.isfinite(costs[1]) else costs[1] - costs[0]


def _split_parts(inst: Instance, o: int, candidates, free: np.ndarray) -> list[Part]:
    """Order o in 2, 3, ... equal parts at its cheapest plant-weeks with room, as
    the model allows; updates `free`; [] if no number of parts fits."""
    plants = np.fromiter(candidates, dtype=np.int64)
    allowed = np.zeros((len(plants), inst.n_weeks), dtype=bool)
    for i, p in enumerate(plants):
        allowed[i, candidates[int(p)]] = True
    q = int(inst.qty[o])
    fixed, unit = np.zeros(len(plants)), np.zeros(len(plants))
    for i, p in enumerate(plants):
        fixed[i], unit[i] = inst.unit_cost(o, int(p))
    for n in range(2, int(inst.split_parts[o]) + 1):
        loads = inst.load_int(inst.load_matrix(o, float(-(-q // n))))[plants]  # [c, T]
        trial = free[plants].copy()  # [c, T, W]
        cost = fixed[:, None] + (unit[:, None] + inst.late_unit[o][None, :]) * (q / n)
        used = np.zeros_like(allowed)
        chosen = []
        for _part in range(n):
            ok = (trial >= loads[:, :, None]).all(axis=1) & allowed & ~used
            if not ok.any():
                break
            i, w = np.unravel_index(np.argmin(np.where(ok, cost, np.inf)), ok.shape)
            trial[i, :, w] -= loads[i]
            used[i, w] = True
            chosen.append((int(i), int(w)))
        if len(chosen) == n:
            free[plants] = trial
            sizes = [q // n + (1 if k < q % n else 0) for k in range(n)]
            return [
                (o, int(plants[i]), w, size) for (i, w), size in zip(chosen, sizes, strict=True)
            ]
    return []


def _hint_parts(inst: Instance, candidates) -> list[Part]:
    """A first solution for the search: the cheaper of two greedy passes, one in
    order of regret (what is lost if an order's cheapest plant-week goes to
    another order), one by due date and priority."""
    todo = [o for o in range(inst.n_orders) if candidates[o] and not inst.is_locked[o]]
    options = {o: _Options(inst, o, candidates[o]) for o in todo}
    by_regret = sorted(todo, key=lambda o: (-options[o].regret(inst.free_int), o))
    by_due = sorted(todo, key=lambda o: (inst.orders[o].due_date, inst.orders[o].priority, o))
    return min(
        (
            _hint_pass(inst, candidates, options, by_regret),
            _hint_pass(inst, candidates, options, by_due),
        ),
        key=lambda parts: assignment_cost(inst, parts),
    )


def _hint_pass(inst: Instance, candidates, options, todo, passes: int = 3) -> list[Part]:
    """Orders in turn, each to its cheapest candidate plant-week with room; one
    that fits nowhere whole is split into equal parts as the model allows. Then a
    few passes of moving each order to a cheaper plant-week with room, and placing
    what is still unplaced."""
    free = inst.free_int.copy()
    whole: dict[int, tuple[float, int, int]] = {}  # order -> (cost, i, w)
    split: dict[int, list[Part]] = {}

    def place(o) -> bool:
        best = options[o].best(free)
        if best is not None:
            whole[o] = best
            free[options[o].plants[best[1]], :, best[2]] -= options[o].load[best[1]]
            return True
        parts = _split_parts(inst, o, candidates[o], free) if inst.is_split(o) else []
        if parts:
            split[o] = parts
        return bool(parts)

    for o in todo:
        place(o)
    for _pass in range(passes):
        improved = False
        for o in todo:
            if o in whole:
                cost, i, w = whole[o]
                opt = options[o]
                free[opt.plants[i], :, w] += opt.load[i]
                best = opt.best(free)
                if best[0] < cost - 0.005:
                    whole[o] = best
                    improved = True
                else:
                    best = whole[o]
                free[opt.plants[best[1]], :, best[2]] -= opt.load[best[1]]
            elif o not in split:
                improved |= place(o)
        if not improved:
            break
    parts = [(o, int(options[o].plants[i]), w, int(inst.qty[o])) for o, (_c, i, w) in whole.items()]
    return parts + [part for placed in split.values() for part in placed]


def _with_cells(candidates, parts: list[Part]):
    """`candidates` with the plant-weeks that `parts` use added."""
    out = [dict(c) for c in candidates]
    for o, p, w, _q in parts:
        weeks = out[o].get(p)
        if weeks is None:
            out[o][p] = np.array([w], dtype=np.int64)
        elif w not in weeks:
            out[o][p] = np.sort(np.append(weeks, w))
    return out


def _merge_hint(inst: Instance, parts: list[Part], hint: Plan) -> list[Part]:
    """`parts`, with each order taken from `hint` where all of its placements name
    plants, weeks and a total quantity this problem has."""
    from_hint: dict[int, list[Part] | None] = {}
    for placement in hint.placements:
        o = inst.order_index.get(placement.order_id)
        if o is None or inst.is_locked[o]:
            continue
        p = inst.plant_index.get(placement.plant_id)
        w = (
            inst.periods.index(placement.period_start)
            if placement.period_start in inst.periods
            else None
        )
        if p is None or w is None or int(p) not in inst.fit_weeks[o]:
            from_hint[o] = None
        elif from_hint.get(o, []) is not None:
            from_hint.setdefault(o, []).append((o, p, w, placement.quantity))
    valid = {
        o
        for o, hinted in from_hint.items()
        if hinted is not None and sum(h[3] for h in hinted) == inst.qty[o]
    }
    return [part for part in parts if part[0] not in valid] + [
        part for o in valid for part in from_hint[o]
    ]
