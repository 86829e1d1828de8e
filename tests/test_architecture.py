"""The dependency rule, checked by parsing imports.

``domain`` is pure; ``projections`` never reach ``service``. Inside ``service`` the packages
stack up: ``storage`` at the bottom; the read-model runner and staff accounts above it; the
application layer; the GDPR toolkit on top of the application layer; then the doors (``http``,
``web``, ``cli``). The pages use the API's transport pieces (sessions, guards, problem
details) but never its routes: the pages and the API meet in the application layer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)
DOORS = ("service.http", "service.web", "service.cli", "service.app", "litestar")


def _refuses(*prefixes: str) -> Callable[[str], bool]:
    def allowed(module: str) -> bool:
        return not any(module == p or module.startswith(p + ".") for p in prefixes)

    return allowed


ALLOWED: dict[str, Callable[[str], bool]] = {
    "domain": lambda module: (
        module.split(".")[0] in STDLIB | {"domain", "msgspec"}
        or module == "eventsourcing.domain"
        or module.startswith("eventsourcing.domain.")
    ),
    "projections": _refuses("service", "litestar"),
    "service/storage": _refuses(
        *DOORS, "service.application", "service.gdpr", "service.readmodels", "service.staff", "projections"
    ),
    "service/readmodels": _refuses(*DOORS, "service.application", "service.gdpr", "service.staff"),
    "service/staff": _refuses(*DOORS, "service.application", "service.gdpr", "service.readmodels"),
    "service/application": _refuses(*DOORS, "service.gdpr"),
    "service/gdpr": _refuses(*DOORS),
    "service/words": _refuses(*DOORS),
    "service/printing": _refuses(
        *DOORS, "service.application", "service.gdpr", "service.readmodels", "service.staff", "projections"
    ),
    "service/documents": _refuses(
        *DOORS, "service.application", "service.gdpr", "service.readmodels", "service.staff", "projections"
    ),
    "service/reminders": _refuses(*DOORS),
    "service/http": _refuses("service.web", "service.cli"),
    "service/web": _refuses("service.http.routes", "service.cli"),
    "service/cli": lambda module: True,
}


def imports_of(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def offences(layer: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for module in imports_of(path)
        if not ALLOWED[layer](module)
    ]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_the_dependency_rule_allows(layer: str) -> None:
    assert offences(layer) == []


def test_a_page_importing_a_route_handler_breaks_the_rule(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text("from service.http.routes import cases\nfrom service.http import routes\n")
    refused = [m for m in imports_of(page) if not ALLOWED["service/web"](m)]
    assert refused == ["service.http.routes", "service.http.routes.cases", "service.http.routes"]


def test_every_service_package_is_under_a_rule() -> None:
    packages = {p.name for p in (ROOT / "service").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {f"service/{p}" for p in packages} <= set(ALLOWED)
