"""Allocation with OR-Tools CP-SAT: `solve` with one of two models.

- "single_week" (single_week.py, the default): each order, or each equal part
  of a split order, is made in one plant-week.
- "spread" (spread.py): an order's load spreads over several weeks at its
  plant (or, split, at up to max_parts plants).

Both stand on cpsat.py (candidates, the starting plan, the search) and cost a
plan as the greedy planner does (explain.py); neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable

from .cpsat import MAX_VARIABLES
from .model import Plan, PlanningInputError, Problem, Progress
from .single_week import solve_single_week
from .spread import solve_spread

MODELS = ("single_week", "spread")
DEFAULT_MODEL = "single_week"


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
    `model`: "single_week" (each order or part in one plant-week) or "spread"
    (an order's load over several weeks at its plant)."""
    if model not in MODELS:
        raise PlanningInputError([("model", f"must be one of {', '.join(MODELS)} (got {model})")])
    solve_model = solve_spread if model == "spread" else solve_single_week
    return solve_model(
        problem,
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        should_stop=should_stop,
        hint=hint,
        max_variables=max_variables,
        seed=seed,
    )
