"""How far can the CP-SAT gap close? The LP relaxation of the same model.

`python -m bench.planning_lp [--sizes 500x50] [--seed 1] [--loads 0.5,0.65,default]`
builds the single-week CP-SAT model exactly as `solve_single_week` does, relaxes every
variable to a real number and solves that linear programme with GLOP. Its optimum
is a lower bound on every plan of the model, as CP-SAT's own best bound is; it is
the bound a MIP solver starts from before any cut or branch. The table puts it
next to CP-SAT's incumbent and bound after `--time-limit` seconds, so that one can
see whether the gap is the search's (the incumbent far above an LP bound that is
close to the true optimum) or the model's (the LP bound itself far below any plan:
lumpy orders that no relaxation packs the way integers must). No database.
"""

from __future__ import annotations

import argparse
import sys
import time

from ortools.linear_solver import pywraplp

from orders.planning.cpsat import MAX_VARIABLES, candidates_build, candidates_with, start_parts
from orders.planning.instance import COST_SCALE, Instance
from orders.planning.single_week import SingleWeekModel, solve_single_week
from orders.planning.synthetic import network

from .stats import Table

INT64_EDGE = 1e15  # CP-SAT writes "no bound" as the int64 extremes


def lp_bound(model: SingleWeekModel) -> tuple[float, float]:
    """The LP relaxation's optimum (in plan cost units) and GLOP's seconds."""
    proto = model.model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    inf = lp.infinity()
    # (list(): the proto wrapper's repeated fields do not take negative indexes)
    domains = [list(v.domain) for v in proto.variables]
    xs = [lp.NumVar(float(d[0]), float(d[-1]), "") for d in domains]
    for c in proto.constraints:
        if c.has_exactly_one():
            row, rhs = lp.Constraint(1, 1), 1
            for literal in c.exactly_one.literals:
                if literal >= 0:
                    row.SetCoefficient(xs[literal], row.GetCoefficient(xs[literal]) + 1)
                else:  # a negated literal (1 - x)
                    x = xs[-literal - 1]
                    row.SetCoefficient(x, row.GetCoefficient(x) - 1)
                    rhs -= 1
            row.SetBounds(rhs, rhs)
        elif c.has_linear():
            domain = list(c.linear.domain)
            lo, hi = domain[0], domain[-1]
            row = lp.Constraint(-inf if lo < -INT64_EDGE else lo, inf if hi > INT64_EDGE else hi)
            for var, coef in zip(c.linear.vars, c.linear.coeffs, strict=True):
                row.SetCoefficient(xs[var], coef)
        else:
            raise ValueError(f"constraint kind not relaxed here: {c}")
    objective = lp.Objective()
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[var], coef)
    objective.SetMinimization()
    started = time.perf_counter()
    status = lp.Solve()
    seconds = time.perf_counter() - started
    if status != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"GLOP ended with status {status}")
    scaled = objective.Value() + proto.objective.offset
    return scaled / COST_SCALE + model.constant, seconds


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.planning_lp", description=__doc__)
    p.add_argument("--sizes", default="500x50", help="orders x plants, comma-separated")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--loads",
        default="default",
        help="demand/capacity per network, comma-separated; 'default' draws 0.75-0.90",
    )
    p.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds (10)")
    p.add_argument("--workers", type=int, default=2)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    table = Table(
        "Single-week model: LP relaxation bound (GLOP) against CP-SAT",
        [
            "network",
            "load",
            "LP bound M",
            "GLOP s",
            f"CP-SAT @{args.time_limit:g} s M",
            "CP-SAT bound M",
            "gap to CP-SAT bound",
            "gap to LP bound",
            "unplaced",
        ],
    )
    for size in args.sizes.split(","):
        orders, plants = (int(n) for n in size.lower().split("x"))
        for load_text in args.loads.split(","):
            load = None if load_text == "default" else float(load_text)
            problem = network(orders, plants, seed=args.seed, load=load)
            print(f"{size} load {load_text}: LP relaxation ...", file=sys.stderr, flush=True)
            inst = Instance(problem, spread_locked=True)
            candidates, _notes = candidates_build(inst, MAX_VARIABLES)
            candidates = candidates_with(candidates, start_parts(inst, None))
            bound, glop_seconds = lp_bound(SingleWeekModel(inst, candidates))
            print(f"{size} load {load_text}: CP-SAT ...", file=sys.stderr, flush=True)
            plan = solve_single_week(problem, time_limit=args.time_limit, workers=args.workers)
            table.add(
                size,
                load_text,
                f"{bound / 1e6:.2f}",
                f"{glop_seconds:.1f}",
                f"{plan.objective / 1e6:.2f}",
                f"{(plan.best_bound or 0) / 1e6:.2f}",
                f"{plan.gap:.1%}" if plan.gap is not None else "-",
                f"{(plan.objective - bound) / plan.objective:.1%}",
                str(len(plan.unplaced)),
            )
    print(table.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
