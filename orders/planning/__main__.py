"""Plan from a shell: `python -m orders.planning solve INPUT.json [options]`.

Prints the plan as JSON on stdout: status, engine, objective, best bound, gap,
build and solve seconds, the placements (plant, week, quantity, cost) and, per
order, why it went where it went (or why it could not be placed). Input that
cannot be planned with prints each field's error on stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from .greedy import greedy
from .jsonio import plan_to_json, problem_from_json
from .model import PlanningInputError
from .solver import DEFAULT_MODEL, MODELS, solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orders.planning", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("solve", help="plan the problem in a JSON file ('-': stdin)")
    run.add_argument("input", help="problem JSON (see orders/planning/problem.schema.json)")
    run.add_argument("--time-limit", type=float, default=30.0, help="seconds of search (30)")
    run.add_argument("--workers", type=int, default=2, help="CP-SAT workers (2)")
    run.add_argument("--greedy", action="store_true", help="the greedy planner instead of CP-SAT")
    run.add_argument(
        "--model",
        choices=MODELS,
        default=DEFAULT_MODEL,
        help=f"CP-SAT model: each order in one week, or spread over weeks ({DEFAULT_MODEL})",
    )
    run.add_argument("--indent", type=int, default=2, help="JSON indent (0: one line)")
    args = parser.parse_args(argv)

    try:
        if args.input == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.input, encoding="utf-8") as handle:
                data = json.load(handle)
    except OSError as error:
        print(f"{args.input}: {error.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(
            f"{args.input}: not valid JSON: {error.msg} (line {error.lineno}, "
            f"column {error.colno})",
            file=sys.stderr,
        )
        return 2
    try:
        problem = problem_from_json(data)
        if args.greedy:
            plan = greedy(problem)
        else:
            plan = solve(
                problem, time_limit=args.time_limit, workers=args.workers, model=args.model
            )
    except PlanningInputError as error:
        print(f"{args.input}: {len(error.errors)} error(s) in the input:", file=sys.stderr)
        for path, message in error.errors:
            print(f"  {path}: {message}", file=sys.stderr)
        return 2
    json.dump(plan_to_json(plan), sys.stdout, indent=args.indent or None)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
