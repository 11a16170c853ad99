"""The package layout tells the pipeline: nothing imports upward and there are no cycles.

Rooms, from the bottom: utilities (units, resources, cache, fileio, records), diagnostics,
syntax, catalog and models, frontend, the report contract, analyses, the
driver and the project configuration, renderers, and the API, the command
line, the language server and the Pygments lexer on top. A module may import
from its own room or a lower one, never from a higher one, and the graph of
module imports (including imports inside functions) has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "compiler" / "aiflang"

RANK = {
    "units": 0,
    "resources": 0,
    "cache": 0,
    "fileio": 0,
    "revision": 0,  # files as they were at a git revision
    "records": 0,
    "diagnostics": 1,
    "syntax": 2,
    "catalog": 3,
    "models": 3,
    "frontend": 4,
    "report": 5,
    "report_model": 5,  # the report's classes, pydantic only when reading a saved report
    "analyses": 6,
    "driver": 7,
    "project": 7,  # the project configuration, read by the command line and the server
    "render": 8,
    "sweep": 8,  # design-space sweeps and uncertainty: many compiles, read by render and cli
    "api": 9,
    "cli": 9,
    "console": 9,  # what the commands share, without click; `validate` itself
    "action": 9,  # the GitHub Action's step, which runs the command line
    "lsp": 9,  # the language server, started by `aifc lsp`
    "pygments_lexer": 9,
    "program": 10,  # the `aifc` entry point: plain `validate` without click, else `cli`
    "__main__": 10,
    "aiflang": 10,  # the package's __init__ may expose the API
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The aiflang modules a file imports, at any depth of its body."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("aiflang"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("aiflang"))
    return found & set(modules)


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(path, modules):
            if target != name and not name.startswith(target + "."):
                graph.add_edge(name, target)
    return graph


def test_every_module_has_a_room() -> None:
    assert {_room(m) for m in _modules()} <= set(RANK)


def test_nothing_imports_upward() -> None:
    upward = [
        f"{source} ({_room(source)}) imports {target} ({_room(target)})"
        for source, target in _graph().edges
        if RANK[_room(target)] > RANK[_room(source)]
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    assert list(nx.simple_cycles(_graph())) == []


def test_models_are_pure_formulas() -> None:
    """Models import only other models, the unit table and `records` (the frozen value
    classes `dataclasses` would give, which itself imports nothing of aifc)."""
    graph = _graph()
    outside = [
        (source, target)
        for source, target in graph.edges
        if _room(source) == "models" and _room(target) not in {"models", "units", "records"}
    ]
    assert outside == []


@pytest.mark.parametrize("room", ["analyses", "frontend", "models", "report", "syntax"])
def test_lower_rooms_never_import_render(room: str) -> None:
    graph = _graph()
    assert [t for s, t in graph.edges if _room(s) == room and _room(t) == "render"] == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The AST walk finds imports nested in functions (as the lazy imports are)."""
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from aiflang.render import text\n", encoding="utf-8")
    modules = {"aiflang.render.text": source, "aiflang.render": source}
    assert _imports(source, modules) == {"aiflang.render.text"}


def test_the_architecture_page_names_every_room_at_its_rank() -> None:
    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            for name in cells[1].replace("`", "").split(","):
                rows[name.strip().removesuffix("/").removesuffix(".py")] = int(cells[0])
    rooms = {room: rank for room, rank in RANK.items() if room not in ("__main__", "aiflang")}
    assert rows == rooms
