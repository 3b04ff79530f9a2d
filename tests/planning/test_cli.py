"""`python -m orders.planning` in a subprocess, and the engine without Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orders.planning.jsonio import problem_to_json
from orders.planning.synthetic import network

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "orders.planning", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


@pytest.fixture
def problem_file(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_json(network(15, 4, seed=3, weeks=3))))
    return path


@pytest.mark.parametrize("engine", [[], ["--greedy"]])
def test_cli_prints_the_plan_as_json(problem_file, engine):
    done = run("solve", str(problem_file), "--time-limit", "1", *engine)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["status"] in ({"greedy"} if engine else {"optimal", "feasible"})
    assert plan["engine"] == ("greedy" if engine else "cp-sat")
    assert plan["placements"]
    assert all(e["reason"] for e in plan["explanations"])
    assert isinstance(plan["objective"], float)


def test_cli_reads_stdin(problem_file):
    done = run("solve", "-", "--greedy", stdin=problem_file.read_text())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["engine"] == "greedy"


def test_cli_malformed_json_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"plants": [}')
    done = run("solve", str(path))
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr
    assert done.stdout == ""


def test_cli_bad_field_exits_2_naming_it(tmp_path, problem_file):
    data = json.loads(problem_file.read_text())
    data["orders"][2]["quantity"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    done = run("solve", str(path))
    assert done.returncode == 2
    assert "orders[2].quantity" in done.stderr


def test_cli_missing_file_exits_2(tmp_path):
    done = run("solve", str(tmp_path / "nowhere.json"))
    assert done.returncode == 2


def test_planning_never_imports_django():
    code = (
        "import sys\n"
        "assert 'django' not in sys.modules\n"
        "import orders.planning, orders.planning.jsonio, orders.planning.synthetic\n"
        "import orders.planning.__main__\n"
        "from orders.planning import solve\n"
        "solve(orders.planning.synthetic.network(5, 2, seed=1, weeks=2), time_limit=0.5)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not leaked, leaked\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
