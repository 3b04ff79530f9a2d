"""The import contracts in pyproject.toml (run by bin/test) catch a forbidden import.

Each case copies the project's packages and its pyproject.toml into a temporary
folder, adds one module with an import that a layer rule forbids, and runs
`lint-imports` there: exactly the contracts that state that rule must break,
naming the module. No database; a run takes well under a second.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract["name"] for contract in CONFIG["contracts"]}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    tree = tmp_path_factory.mktemp("project")
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


@pytest.fixture
def project(pristine, tmp_path):
    tree = tmp_path / "project"
    shutil.copytree(pristine, tree)
    return tree


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # The tree's folder comes first on the path, before the editable install of the
    # real project, so grimp reads the copy.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def broken(output: str) -> set[str]:
    return {name for name in CONTRACTS.values() if f"{name} BROKEN" in output}


def test_the_project_as_it_is_keeps_every_contract(pristine):
    result = lint_imports(pristine)
    assert result.returncode == 0, result.stdout + result.stderr
    assert broken(result.stdout) == set()
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contracts"),
    [
        ("orders/planning/leak.py", "import django\n", {"planning-no-django"}),
        (
            "orders/planning/leak.py",
            "from orders.hub import models\n",  # Django through a project module
            {"planning-no-django"},
        ),
        ("portal/leak.py", "from orders.hub import models\n", {"core-no-domains"}),
        ("portal/leak.py", "from integrations.models import ApiKey\n", {"core-no-domains"}),
        ("tenants/leak.py", "from quality import demo\n", {"layers"}),
        ("tenants/leak.py", "import integrations.views\n", {"layers"}),
        ("orders/leak.py", "from integrations.models import ApiKey\n", {"layers"}),
        (
            "quality/partner/leak.py",
            "from quality.hub.models import NcrSummary\n",
            {"partner-no-hub-models"},
        ),
        (
            "orders/partner/leak.py",
            "from orders.hub.models import Dispatch\n",
            {"partner-no-hub-models"},
        ),
        (
            "tenants/partner/leak.py",
            "from orders.hub import models\n",  # two rules at once
            {"partner-no-hub-models", "layers"},
        ),
        (
            "orders/partner/leak.py",
            "from orders.hub.models.orders import Dispatch\n",
            {"partner-no-hub-models"},
        ),
        (
            "quality/partner/leak.py",
            "from orders.hub.models.plans import PlanRun\n",
            {"partner-no-hub-models"},
        ),
        (
            "orders/partner/leak.py",
            "from orders.hub.models.plants import PlantCost\n",
            {"partner-no-hub-models"},
        ),
        (
            "quality/partner/templatetags/leak.py",  # a module deeper in a partner app
            "from orders.hub.models import InspectionCharacteristic\n",
            {"partner-no-hub-models"},
        ),
        (
            "orders/partner/leak.py",
            "from orders.hub.orders import selectors\n",  # hub models through a hub module
            {"partner-no-hub-models"},
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(project, module, source, contracts):
    (project / module).write_text(source)
    result = lint_imports(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result.stdout) == {CONTRACTS[c] for c in contracts}, result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


@pytest.mark.parametrize(
    "source",
    [
        "from orders.hub.models.products import InspectionCharacteristic, Operation\n",
        "from orders.hub.models import products\n",
        "from orders.hub.products.selectors import routing_capabilities\n",
    ],
)
def test_partner_code_may_read_product_definitions(project, source):
    """Product definitions are hub data that partners work to: reading them from
    orders.hub.models.products keeps every contract, where orders.hub.models.orders
    (above) breaks partner-no-hub-models."""
    module = "quality/partner/leak.py"
    (project / module).write_text(source)
    result = lint_imports(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert broken(result.stdout) == set(), result.stdout
