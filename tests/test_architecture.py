"""The architecture of docs/architecture.md holds: each layer imports only the
layers below it (import-linter's contracts in pyproject.toml), the services
have no import cycle (grimp's import graph, networkx), only the unit of work
commits or rolls back, the services import at module top, and every htmx
fragment lives in templates/partials/.

Each scanner is also run on a small bad example, so a check that could no
longer fail would be noticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import networkx as nx
import pytest
from importlinter import api  # noqa: F401  (configures import-linter before its use cases run)
from importlinter.application.use_cases import SUCCESS, lint_imports, read_user_options

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "configurator"
SERVICES = "configurator.services"
# Views and commands call use cases; the unit of work alone commits or rolls back.
ENTRY_POINTS = sorted([*PACKAGE.joinpath("web").rglob("*.py"), *PACKAGE.glob("cli*.py")])
UNIT_OF_WORK = PACKAGE / "services" / "unit_of_work.py"


# ------------------------------------------------------------------ layers


def test_every_layer_imports_only_the_layers_below_it():
    config = str(ROOT / "pyproject.toml")
    assert len(read_user_options(config).contracts_options) == 4
    # Prints which import breaks which contract (pytest shows it when this fails).
    assert lint_imports(config, cache_dir=None, no_logo=True) == SUCCESS


# ------------------------------------------------------------------ no cycles


def services_graph(graph: grimp.ImportGraph) -> nx.DiGraph:
    """The services' modules and their imports of each other."""
    modules = nx.DiGraph()
    for module in graph.modules:
        if module.startswith(SERVICES):
            modules.add_node(module)
            for imported in graph.find_modules_directly_imported_by(module):
                if imported.startswith(SERVICES):
                    modules.add_edge(module, imported)
    return modules


def area(module: str) -> str:
    """A service module's area: its package under services (or the module itself)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else "services"


def area_graph(modules: nx.DiGraph) -> nx.DiGraph:
    """Which area imports which (an area importing itself is no cycle)."""
    areas = nx.DiGraph()
    for importer, imported in modules.edges:
        if area(importer) != area(imported):
            areas.add_edge(area(importer), area(imported))
    return areas


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    return [sorted(cycle) for cycle in nx.simple_cycles(graph)]


def test_the_services_have_no_import_cycle():
    modules = services_graph(grimp.build_graph("configurator"))
    assert len(modules) > 30 and modules.number_of_edges() > 50  # the graph was really read
    assert cycles(modules) == []
    assert cycles(area_graph(modules)) == []  # nor between areas: quotes, business, ...


def test_the_cycle_check_finds_a_cycle():
    modules = nx.DiGraph([
        ("configurator.services.quotes.answers", "configurator.services.orders"),
        ("configurator.services.orders", "configurator.services.quotes.records"),
    ])
    assert cycles(modules) == []
    assert cycles(area_graph(modules)) == [["orders", "quotes"]]


# ------------------------------------------------------------------ transactions


def commits_and_rollbacks(source: str) -> list[str]:
    """`line: call` for every `.commit()` and `.rollback()` in the source."""
    return [
        f"{node.lineno}: .{node.func.attr}()"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_views_and_commands_never_commit_or_roll_back(path):
    assert commits_and_rollbacks(path.read_text(encoding="utf-8")) == []


def test_in_the_services_only_the_unit_of_work_commits_or_rolls_back():
    found = {
        str(path.relative_to(ROOT)): calls
        for path in PACKAGE.joinpath("services").rglob("*.py")
        if (calls := commits_and_rollbacks(path.read_text(encoding="utf-8")))
    }
    assert found == {str(UNIT_OF_WORK.relative_to(ROOT)): ["55: .commit()", "58: .rollback()"]}


def test_the_commit_scan_finds_commits():
    source = "def save():\n    db.session.add(x)\n    db.session.commit()\n    s.rollback()\n"
    assert commits_and_rollbacks(source) == ["3: .commit()", "4: .rollback()"]


# ------------------------------------------------------------------ imports at module top


def nested_imports(source: str) -> list[int]:
    """Lines of imports inside functions or classes (a module's imports go at its top)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines += [
                inner.lineno
                for inner in ast.walk(node)
                if isinstance(inner, (ast.Import, ast.ImportFrom))
            ]
    return sorted(lines)


def test_the_services_import_at_module_top():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in PACKAGE.joinpath("services").rglob("*.py")
        if (lines := nested_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_import_scan_finds_an_import_in_a_function():
    assert nested_imports("import os\n\ndef f():\n    from x import y\n    return y\n") == [4]


# ------------------------------------------------------------------ fragments


def test_htmx_fragments_live_in_partials():
    templates = ROOT / "templates"
    fragments = [path.relative_to(templates) for path in templates.rglob("_*.html")]
    assert fragments  # they were found
    assert [str(path) for path in fragments if path.parts[0] != "partials"] == []
