"""The apps' domain modules depend one way: no import cycle between two apps.

Domain modules are each app's models, services, selectors and tasks (and the service modules
beside them: bookings' `capacity`, `conversion`, `travellers`; messaging's `inbound`; whatsapp's
`outbound`, `statuses`, `payloads`; the board's reads; the import's cleaning and jobs), not the
page layer (views, forms, `clients/card.py`, which composes a card from every app); every import counts, function-local ones
included, read with `ast` rather than by importing (a lazy import hides a cycle from Python,
not from this test). `lib` is the shared toolbox: it imports no app at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the `dreamland` package
DOMAIN_MODULES = {
    *("models", "services", "selectors", "tasks", "capacity", "conversion", "travellers"),
    *("inbound", "outbound", "statuses", "payloads", "board", "jobs", "cleaning"),
}
APPS = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name == "demo"}
KNOWN_CYCLES: set[frozenset[str]] = set()  # none: add a pair only with the reason beside it


def _imported_apps(path: Path) -> dict[str, list[str]]:
    """Other apps this module imports, each with where (`file:line`)."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        apps = {
            parts[1]
            for parts in (name.split(".") for name in names)
            if parts[0] == "dreamland" and len(parts) > 1 and parts[1] in APPS
        }
        for app in apps:
            found.setdefault(app, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _domain_graph() -> dict[str, dict[str, list[str]]]:
    """app → the other apps its domain modules import → where; the known cycle's edges left out."""
    graph: dict[str, dict[str, list[str]]] = {}
    for app in sorted(APPS - {"lib"}):
        for path in sorted((ROOT / app).glob("*.py")):
            if path.stem not in DOMAIN_MODULES:
                continue
            for other, where in _imported_apps(path).items():
                if other != app and frozenset({app, other}) not in KNOWN_CYCLES:
                    graph.setdefault(app, {}).setdefault(other, []).extend(where)
    return graph


def _reaches(graph: dict[str, dict[str, list[str]]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        app = todo.pop()
        if app == goal:
            return True
        if app not in seen:
            seen.add(app)
            todo.extend(graph.get(app, {}))
    return False


def test_the_graph_sees_function_local_imports() -> None:
    # A guard on the test itself: the bookings → tours edge is there.
    assert "tours" in _domain_graph()["bookings"]


def test_no_cycle_between_apps_domain_modules() -> None:
    graph = _domain_graph()
    cycles = [
        f"{app} → {other} ({', '.join(where)}) and back"
        for app, targets in graph.items()
        for other, where in targets.items()
        if _reaches(graph, other, app)
    ]
    assert cycles == []


def test_lib_imports_no_app() -> None:
    imports: dict[str, list[str]] = {}
    for path in sorted((ROOT / "lib").glob("*.py")):
        imports.update({app: where for app, where in _imported_apps(path).items() if app != "lib"})
    assert imports == {}
