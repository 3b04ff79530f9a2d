"""What a planner's spreadsheet does: one order at a time, earliest due date
first (then priority), each order whole to the cheapest plant that can make it
and has room, in its due week or, when that week is full, the first later week
(an earlier one only if no later week has room). No splits.

Costed like the solver's plans (same Instance, same plan_build), so the two
objectives compare; the solver also starts from it (a hint).
"""

from __future__ import annotations

import time

import numpy as np

from .explain import Part, plan_build
from .instance import Instance
from .model import Plan, Problem
from .validate import problem_check


def greedy(problem: Problem) -> Plan:
    started = time.perf_counter()
    problem_check(problem)
    inst = Instance(problem, spread_locked=True)
    built = time.perf_counter()
    parts = greedy_parts(inst)
    solved = time.perf_counter()
    return plan_build(
        inst,
        parts,
        status="greedy",
        engine="greedy",
        best_bound=None,
        gap=None,
        build_seconds=built - started,
        solve_seconds=solved - built,
    )


def greedy_parts(
    inst: Instance, candidates: list[dict[int, np.ndarray]] | None = None
) -> list[Part]:
    """The greedy assignment; `candidates` (per order: plant -> weeks) narrows the
    choice to a model's variables, for use as its hint."""
    free = inst.free_int.copy()
    todo = [o for o in range(inst.n_orders) if not inst.is_locked[o] and len(inst.eligible[o])]
    todo.sort(key=lambda o: (inst.orders[o].due_date, inst.orders[o].priority, inst.orders[o].id))
    parts: list[Part] = []
    for o in todo:
        allowed_weeks = candidates[o] if candidates is not None else inst.fit_weeks[o]
        if not allowed_weeks:
            continue
        plants = np.fromiter(allowed_weeks, dtype=np.int64)
        q = int(inst.qty[o])
        loads = inst.load_int(inst.load_matrix(o, float(q)))[plants]  # [c, T]
        # Loads are zero on the types the order does not use, and free hours never
        # negative, so comparing every type is the same as comparing the needed ones.
        ok = (free[plants] >= loads[:, :, None]).all(axis=1)  # [c, W]
        allowed = np.zeros_like(ok)
        for i, p in enumerate(plants):
            allowed[i, allowed_weeks[int(p)]] = True
        ok &= allowed
        sequence = np.array(inst.week_order(o), dtype=np.int64)
        in_sequence = ok[:, sequence]
        has_room = in_sequence.any(axis=1)
        if not has_room.any():
            continue
        weeks = sequence[np.argmax(in_sequence, axis=1)]
        cost = inst.full_cost[o, plants] + inst.late_unit[o, weeks] * q
        cost[~has_room] = np.inf
        i = int(np.argmin(cost))
        p, w = int(plants[i]), int(weeks[i])
        free[p, :, w] -= loads[i]
        parts.append((o, p, w, q))
    return parts
