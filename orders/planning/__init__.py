"""The planning engine: which partner plant makes which network order, and why.

Pure Python and OR-Tools (no Django): frozen dataclasses in (`model.Problem`),
a `model.Plan` out. `solver.solve` (CP-SAT, with the `single_week` or the
`spread` model, both on `cpsat`) and `greedy.greedy` (what a planner's
spreadsheet does) cost plans the same way; `jsonio` reads and writes
the JSON form (`problem.schema.json`); `python -m orders.planning solve FILE`
runs it from a shell.
"""

from .greedy import greedy
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
    Progress,
    Split,
    Unplaced,
    WorkCentre,
)
from .solver import solve

__all__ = [
    "Capacity",
    "Certification",
    "Compliance",
    "CostBreakdown",
    "Current",
    "Downtime",
    "Exclusion",
    "Explanation",
    "Lane",
    "Load",
    "Operation",
    "Order",
    "PairOverride",
    "Placement",
    "Plan",
    "PlanningInputError",
    "Plant",
    "Problem",
    "Progress",
    "Split",
    "Unplaced",
    "WorkCentre",
    "greedy",
    "solve",
]
