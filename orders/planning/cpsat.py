"""What the two CP-SAT models (single_week.py, spread.py) stand on.

- `check_arguments`: the search's time limit and workers.
- `candidates_build`, `candidates_with`: per order, the plant-weeks a model
  makes variables for, narrowed to a budget of variables (weeks around the due
  week, then each order's cheapest plants), and widened by the starting plan's
  plant-weeks so that the result is never worse than the start.
- `start_parts`: where the search starts, the cheapest of the greedy plan and
  two greedy passes that may split orders (in order of regret, and by due
  date), with the orders a previous plan (`hint`) places taken from it.
- `CpSatModel.run`: the search, common to both models: CP-SAT's parameters,
  progress reports (objective, bound and gap in currency, with the cost of the
  locked orders), cancelling through `should_stop`, and the `SearchResult` in
  which a model reads its parts from the solution (`CpSatModel.solution_parts`).

Costs are integers in the model: currency x COST_SCALE (instance.py).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from .explain import Part, assignment_cost
from .greedy import greedy_parts
from .instance import COST_SCALE, Instance
from .model import Plan, PlanningInputError, Progress

MAX_VARIABLES = 100_000
WINDOW_EARLY, WINDOW_LATE = 2, 2  # weeks before and after the due week when narrowing
MIN_PLANTS = 6  # plants per order kept at the least when narrowing
LIGHT_PRESOLVE_ABOVE = 20_000  # variables
PROGRESS_EVERY = 0.1  # seconds between progress reports (the last one is always sent)


def check_arguments(time_limit: float, workers: int) -> None:
    """Raise PlanningInputError unless the search may run (time and workers)."""
    errors = []
    if not time_limit > 0:
        errors.append(("time_limit", f"must be more than 0 seconds (got {time_limit})"))
    if workers < 1:
        errors.append(("workers", f"must be at least 1 (got {workers})"))
    if errors:
        raise PlanningInputError(errors)


# --- candidates ---------------------------------------------------------------------


def candidates_build(
    inst: Instance, budget: int, base: list[dict[int, np.ndarray]] | None = None
) -> tuple[list[dict[int, np.ndarray]], list[str]]:
    """Per order, plant -> candidate weeks (from `base`, default the weeks where
    the order fits); narrowed to about `budget` variables. Locked orders have
    none. Also the notes that say how it was narrowed (none if it was not)."""
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


def candidates_with(candidates, parts: list[Part]):
    """`candidates` with the plant-weeks that `parts` use added."""
    out = [dict(c) for c in candidates]
    for o, p, w, _q in parts:
        weeks = out[o].get(p)
        if weeks is None:
            out[o][p] = np.array([w], dtype=np.int64)
        elif w not in weeks:
            out[o][p] = np.sort(np.append(weeks, w))
    return out


# --- the starting plan --------------------------------------------------------------


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


# --- the search ---------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    """How a search ended: `status` "optimal", "feasible", "cancelled" (stopped
    by `should_stop` with a solution) or "no_solution"; `parts` what the model
    read from the solution (`CpSatModel.solution_parts`; [] without one); the
    best bound in currency with the locked orders' cost, and the gap (None
    without a solution); the solver's wall seconds."""

    status: str
    parts: Any
    best_bound: float | None
    gap: float | None
    seconds: float


class CpSatModel(ABC):
    """A CP-SAT model of an Instance, built by a subclass, which sets:
    `inst`; `model` (the CpModel, its objective in cost units x COST_SCALE);
    `vars` (every variable, by index); `constant` (the cost, in currency, that
    is not in the objective: locked orders, and orders no candidate can make);
    `unplaced` (order -> index of its "unplaced" variable); `n_constraints`
    (capacity constraints made)."""

    inst: Instance
    model: cp_model.CpModel
    vars: list[cp_model.IntVar]
    constant: float
    unplaced: dict[int, int]
    n_constraints: int

    @abstractmethod
    def solution_parts(self, solver: cp_model.CpSolver) -> Any:
        """The plan's parts in the solution `solver` holds."""

    def run(
        self,
        *,
        time_limit: float,
        workers: int,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
        seed: int,
    ) -> SearchResult:
        """Search for at most `time_limit` seconds on `workers` workers; report
        progress to `on_progress`; stop soon after `should_stop()` is true."""
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
                return SearchResult("no_solution", [], None, None, 0.0)
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
            return SearchResult(name, self.solution_parts(solver), best_bound, gap, seconds)
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            raise RuntimeError(f"CP-SAT: {solver.status_name(status)} (a bug in the model)")
        return SearchResult("no_solution", [], None, None, seconds)


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
