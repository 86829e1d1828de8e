"""The dependency rule, checked by parsing imports: domain is pure, projections never reach service."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)

ALLOWED = {
    "domain": lambda module: (
        module.split(".")[0] in STDLIB | {"domain", "msgspec"}
        or module == "eventsourcing.domain"
        or module.startswith("eventsourcing.domain.")
    ),
    "projections": lambda module: module.split(".")[0] not in {"service", "litestar"},
}


def imports_of(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_the_dependency_rule_allows(layer: str) -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for module in imports_of(path)
        if not ALLOWED[layer](module)
    ]
    assert offending == []
