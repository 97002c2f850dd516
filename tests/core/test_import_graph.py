"""The import rules of ARCHITECTURE.md ("Rules that keep it simple"), read from the source with ``ast``.

The kernel (``wealthcrm`` and its packages) imports no app; ``clients`` imports none of the apps built on it;
no two apps import each other, directly or round a longer cycle; and no two modules import each other.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clients", "tiers", "referrals", "performance")
PACKAGES = ("wealthcrm", *APPS)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue  # migrations are frozen history, not the code's structure
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports (at any depth in the file: a function-level import counts too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported_modules(path, known) - {name} for name, path in known.items()}


def app_of(module: str) -> str:
    top = module.split(".")[0]
    return top if top in APPS else "wealthcrm"


def app_graph() -> dict[str, set[str]]:
    edges = {package: set() for package in PACKAGES}
    for module, targets in graph().items():
        edges[app_of(module)].update(app_of(t) for t in targets if app_of(t) != app_of(module))
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                found.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_the_kernel_imports_no_app():
    offending = {module: sorted(t for t in targets if app_of(t) != "wealthcrm")
                 for module, targets in graph().items() if app_of(module) == "wealthcrm"}
    assert {m: t for m, t in offending.items() if t} == {}


def test_clients_imports_none_of_the_apps_built_on_it():
    assert app_graph()["clients"] <= {"wealthcrm"}


def test_no_cycle_between_apps():
    assert cycles(app_graph()) == []


def test_no_two_modules_import_each_other():
    edges = graph()
    pairs = sorted((a, b) for a, targets in edges.items() for b in targets if a < b and a in edges.get(b, set()))
    assert pairs == []
