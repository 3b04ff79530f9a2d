"""How the engine's modules depend on each other, read from their source."""

from __future__ import annotations

import ast
from pathlib import Path

import orders.planning

ENGINE = Path(orders.planning.__file__).parent


def imports(module: str) -> list[tuple[str, str]]:
    """(module, name) for every `from ... import name` in orders/planning/<module>.py,
    with relative modules made absolute."""
    tree = ast.parse((ENGINE / f"{module}.py").read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                source = "orders.planning" + (f".{source}" if source else "")
            found += [(source, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_the_two_models_stand_on_the_core_and_not_on_each_other():
    for model, other in (("single_week", "spread"), ("spread", "single_week")):
        sources = {source for source, _name in imports(model)}
        assert "orders.planning.cpsat" in sources
        assert f"orders.planning.{other}" not in sources
        assert "orders.planning.solver" not in sources


def test_no_engine_module_imports_a_private_name_of_another():
    for path in ENGINE.glob("*.py"):
        private = [
            (source, name)
            for source, name in imports(path.stem)
            if source.startswith("orders.planning") and name.startswith("_")
        ]
        assert not private, f"{path.name} imports {private}"
