"""The planning engine on synthetic networks: CP-SAT against greedy, over time.

`python -m bench.planning` (or `bin/bench planning`): for 100x10, 500x50 and
2000x200 seeded networks (orders x plants, 8 weeks, orders.planning.synthetic),
one CP-SAT solve per model (single_week, spread) on 2 workers, read at 5 s and
30 s (and 60 s for the largest) from its progress reports, and the greedy plan;
then one table and notes on the scale goals. No database, no Django. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from orders.planning import greedy, solve
from orders.planning.single_week import solve_single_week
from orders.planning.spread import solve_spread
from orders.planning.synthetic import network

from .stats import Table

SIZES = ((100, 10), (500, 50), (2000, 200))
MODELS = {"single_week": solve_single_week, "spread": solve_spread}
GOAL_500_GAP, GOAL_500_SECONDS = 0.01, 10.0
GOAL_2000_GAP, GOAL_2000_SECONDS = 0.03, 60.0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__)
    p.add_argument("--seed", type=int, default=1, help="synthetic network seed (1)")
    p.add_argument("--workers", type=int, default=2, help="CP-SAT workers (2)")
    p.add_argument(
        "--quick", action="store_true", help="a short run: 100x10 and 500x50, read at 2 s and 10 s"
    )
    p.add_argument(
        "--sizes",
        help="orders x plants to run, comma-separated (e.g. 100x10,500x50); default all three",
    )
    p.add_argument(
        "--models",
        default=",".join(MODELS),
        help="CP-SAT models to run, comma-separated (single_week,spread)",
    )
    return p.parse_args(argv)


def log(message: str) -> None:
    print(f"bench.planning: {message}", file=sys.stderr, flush=True)


def at(trace, seconds):
    """The last progress report at or before `seconds`: (objective, bound, gap)."""
    seen = [p for p in trace if p.elapsed <= seconds + 1e-9]
    if not seen:
        return None
    last = seen[-1]
    return last.objective, last.best_bound, last.gap


def first_within(trace, gap):
    """Seconds until the gap first reached `gap` (None: never)."""
    for p in trace:
        if p.gap is not None and p.gap <= gap:
            return p.elapsed
    return None


def money(value) -> str:
    if value is None:
        return "-"
    return f"{value / 1e6:,.3f}M"


def percent(value) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def run_one(orders, plants, *, seed, workers, reads, model="single_week", quick=None):
    problem = network(orders, plants, seed=seed)
    if quick is None:
        log(f"{orders}x{plants}: greedy")
        quick = greedy(problem)
    limit = max(reads)
    log(f"{orders}x{plants}: CP-SAT {model}, {limit:g} s on {workers} workers")
    trace = []
    started = time.perf_counter()
    plan = MODELS.get(model, solve)(
        problem, time_limit=limit, workers=workers, on_progress=trace.append
    )
    wall = time.perf_counter() - started
    return {
        "model": model,
        "size": f"{orders}x{plants}",
        "orders": orders,
        "problem": problem,
        "greedy": quick,
        "plan": plan,
        "trace": trace,
        "wall": wall,
        "reads": {s: at(trace, s) for s in reads},
    }


def render(results, args, reads) -> str:
    long_read = max(reads[:2])
    columns = ["network", "model", "build s", "greedy"]
    for s in reads:
        columns += [f"obj @{s:g}s", f"bound @{s:g}s", f"gap @{s:g}s"]
    columns += [f"greedy vs @{long_read:g}s", "1% gap at", "unplaced cp/greedy"]
    t = Table(
        f"Planning engine: CP-SAT ({args.workers} workers) and greedy, synthetic networks, "
        f"seed {args.seed}; objective in millions of the network currency",
        columns,
    )
    for r in results:
        plan, quick = r["plan"], r["greedy"]
        row = [r["size"], r["model"], f"{plan.build_seconds:.2f}", money(quick.objective)]
        for s in reads:
            read = r["reads"].get(s) if s <= max(r["reads"]) else None
            if read is None:
                row += ["-", "-", "-"]
            else:
                row += [money(read[0]), money(read[1]), percent(read[2])]
        reference = r["reads"].get(long_read)
        worse = None
        if reference is not None and reference[0]:
            worse = (quick.objective - reference[0]) / reference[0]
        reached = first_within(r["trace"], GOAL_500_GAP)
        row += [
            percent(worse),
            f"{reached:.1f} s" if reached is not None else "not reached",
            f"{len(plan.unplaced)}/{len(quick.unplaced)}",
        ]
        t.add(*row)
    t.notes += notes(results, reads)
    return t.render()


def notes(results, reads) -> list[str]:
    out = [
        "one CP-SAT run per network; the @ columns are read from its progress reports "
        "(the incumbent and bound at that time), so they share one search",
        "build s: checks, eligibility, costs, candidate pruning, greedy start and the CP-SAT "
        "model, before the search",
        "objective = placement costs + a penalty per order left unplaced that some plant could "
        "make (Instance._penalties); the gap is (objective - bound) / objective",
    ]
    for r in results:
        plan = r["plan"]
        model = [n for n in plan.notes if n.startswith(("Model", "Narrowed", "Kept"))]
        out.append(f"{r['size']}: " + " ".join(model))
        if plan.objective is not None:
            out.append(
                f"{r['size']} {r['model']}: final CP-SAT plan ({plan.solve_seconds:.0f} s): "
                "placement cost "
                f"{money(plan.objective - plan.unplaced_penalty)} + penalties "
                f"{money(plan.unplaced_penalty)} for {len(plan.unplaced)} unplaced orders; "
                f"greedy: {money(r['greedy'].objective - r['greedy'].unplaced_penalty)} + "
                f"{money(r['greedy'].unplaced_penalty)}"
            )
        if plan.build_seconds > 0.25 * plan.solve_seconds:
            out.append(
                f"{r['size']}: model build ({plan.build_seconds:.1f} s) is large next to the "
                f"search ({plan.solve_seconds:.0f} s)"
            )
    for name in dict.fromkeys(r["model"] for r in results):
        out += goals({r["size"]: r for r in results if r["model"] == name}, name)
    return out


def goals(by, name) -> list[str]:
    out = []
    if "500x50" in by:
        reached = first_within(by["500x50"]["trace"], GOAL_500_GAP)
        met = reached is not None and reached <= GOAL_500_SECONDS
        out.append(
            f"{name}: goal 500x50 within 1% of the bound in {GOAL_500_SECONDS:g} s: "
            + ("MET" if met else "NOT MET")
            + (f" (at {reached:.1f} s)" if reached is not None else "")
            + f"; gap at {GOAL_500_SECONDS:g} s: "
            + percent((at(by["500x50"]["trace"], GOAL_500_SECONDS) or (0, 0, None))[2])
        )
    if "2000x200" in by:
        r = by["2000x200"]
        read = at(r["trace"], GOAL_2000_SECONDS)
        gap = read[2] if read else None
        met = gap is not None and gap < GOAL_2000_GAP
        out.append(
            f"{name}: goal 2000x200 feasible with gap under 3% in {GOAL_2000_SECONDS:g} s: "
            + ("MET" if met else "NOT MET")
            + f" (feasible: {'yes' if read else 'no'}, gap {percent(gap)})"
        )
        share = r["plan"].build_seconds / (r["plan"].build_seconds + r["plan"].solve_seconds)
        out.append(
            f"{name}: goal 2000x200 build time not dominating: "
            f"{r['plan'].build_seconds:.1f} s build, "
            f"{share * 100:.0f}% of build + search"
        )
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    reads = (2.0, 10.0) if args.quick else (5.0, 30.0, 60.0)
    sizes = SIZES[:2] if args.quick else SIZES
    if args.sizes:
        sizes = tuple(tuple(int(n) for n in s.split("x")) for s in args.sizes.split(","))
    results = []
    for orders, plants in sizes:
        wanted = tuple(s for s in reads if s <= 30 or orders >= 2000) if not args.quick else reads
        quick = None
        for model in args.models.split(","):
            result = run_one(
                orders,
                plants,
                seed=args.seed,
                workers=args.workers,
                reads=wanted,
                model=model,
                quick=quick,
            )
            quick = result["greedy"]
            results.append(result)
    import ortools

    print(
        f"DMN Portal planning bench  {time.strftime('%Y-%m-%d %H:%M')}\n"
        f"Python {platform.python_version()}, OR-Tools {ortools.__version__}, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(render(results, args, reads), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
