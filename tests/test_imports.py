"""Imports: definitions in an imported file count exactly as if they were pasted in.

A design and the files it imports form one namespace, so the same design
gives the same report however its definitions are spread over files. The
property test moves any subset of a reference design's top-level
definitions into an imported library, and a library that library imports,
and expects the JSON report unchanged.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiflang.cli import main
from aiflang.driver import build_reports, compile_file
from aiflang.render.json_report import dumps
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source
from aiflang.syntax.schema import COMPONENT_KINDS

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = ROOT / "reference_designs"

LIBRARY = """\
node b200_server {
  gpus  = 8 x B200
  cpus  = 2 x Xeon_8570
  nics  = [8 x CX7 for compute]
  power = 14.3 kW
}

rack b200_air_rack {
  nodes   = 2 x b200_server
  cooling = air
}
"""

FACTORY = """\
factory "f" {
  site { pue = 1.2, utility = 1 MW, power_price = 0.08 USD/kWh, build_cost = 12 million USD/MW }

  hall A {
    it_power   = 500 kW
    ups        = 3 x 250 kW
    redundancy = N+1
    cooling    = { air = 3 MW }
    positions  = 120
    racks      = 100 x b200_air_rack
  }
}
"""


def _compile(path: Path) -> tuple[str, list[str]]:
    compilation = compile_file(path)
    (report,) = build_reports(compilation)
    codes = sorted(d.code for d in report.diagnostics)
    # Provenance hashes each file read, so it names the library on one side only.
    update = {"file": "", "diagnostics": [], "provenance": None}
    return dumps(report.model_copy(update=update)), codes


def test_an_imported_node_and_rack_count_as_if_pasted_in(tmp_path: Path) -> None:
    (tmp_path / "lib.aif").write_text(LIBRARY, encoding="utf-8")
    imported = tmp_path / "imported.aif"
    imported.write_text('import "lib.aif"\n\n' + FACTORY, encoding="utf-8")
    pasted = tmp_path / "pasted.aif"
    pasted.write_text(LIBRARY + "\n" + FACTORY, encoding="utf-8")
    report, codes = _compile(imported)
    assert (report, codes) == _compile(pasted)
    # 100 racks x 2 nodes x 14.3 kW = 2.86 MW in a 500 kW hall, 3.43 MW on a 1 MW feed.
    assert codes == ["E402", "E406"]
    assert '"gpus": 1600' in report
    assert '"it_power_w": 2860000.0' in report


def test_an_imported_node_in_a_local_rack(tmp_path: Path) -> None:
    node, rack = LIBRARY.split("\n\n")
    (tmp_path / "nodes.aif").write_text(node + "\n", encoding="utf-8")
    design = tmp_path / "design.aif"
    design.write_text(f'import "nodes.aif"\n\n{rack}\n{FACTORY}', encoding="utf-8")
    pasted = tmp_path / "pasted.aif"
    pasted.write_text(LIBRARY + "\n" + FACTORY, encoding="utf-8")
    assert _compile(design) == _compile(pasted)


def test_a_library_may_use_what_the_design_defines(tmp_path: Path) -> None:
    """One namespace: a library's rack names a node the importing design defines."""
    node, rack = LIBRARY.split("\n\n")
    (tmp_path / "racks.aif").write_text(rack, encoding="utf-8")
    design = tmp_path / "design.aif"
    design.write_text(f'import "racks.aif"\n\n{node}\n\n{FACTORY}', encoding="utf-8")
    pasted = tmp_path / "pasted.aif"
    pasted.write_text(LIBRARY + "\n" + FACTORY, encoding="utf-8")
    assert _compile(design) == _compile(pasted)


def test_errors_in_an_imported_definition_are_reported_where_they_are(tmp_path: Path) -> None:
    (tmp_path / "lib.aif").write_text(
        "node n {\n  gpus  = 8 x H100\n  powr  = 10 kW\n}\n", encoding="utf-8"
    )
    (tmp_path / "other.aif").write_text("node n {\n  gpus = 8 x H200\n}\n", encoding="utf-8")
    design = tmp_path / "design.aif"
    design.write_text('import "lib.aif"\nimport "other.aif"\n', encoding="utf-8")
    found = {
        (d.code, Path(d.span.file).name, d.span.line)
        for d in compile_file(design).sink.diagnostics
        if d.span is not None
    }
    assert ("E208", "lib.aif", 3) in found  # `powr`: did you mean `power`?
    assert ("E206", "other.aif", 1) in found  # two imported files define `n`


def test_validate_reports_a_library_error_once_for_the_folder(tmp_path: Path) -> None:
    (tmp_path / "lib.aif").write_text("node n {\n  gpus = 8 x H10\n}\n", encoding="utf-8")
    (tmp_path / "design.aif").write_text('import "lib.aif"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.count("unknown gpu `H10`") == 1


# The property ----------------------------------------------------------------


def _definitions(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each top-level definition, with its comments."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = []
    for entry in parse_source(text, "design.aif").module.entries:
        if not isinstance(entry, ast.Block) or entry.kind not in COMPONENT_KINDS:
            continue
        first = entry.span.line - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        last = entry.span.end_line - 1
        if lines[last].strip() == "" and last > first:  # spans may run onto the next line
            last -= 1
        found.append((starts[first], starts[last + 1]))
    return found


DESIGN_NAMES = sorted(
    p.stem
    for p in DESIGNS.glob("*.aif")
    if _definitions(p.read_text(encoding="utf-8").replace("\r\n", "\n"))
)


@cache
def _baseline(name: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.aif"
        path.write_text((DESIGNS / f"{name}.aif").read_text(encoding="utf-8"), encoding="utf-8")
        return _compile(path)[0] + "\n" + " ".join(_compile(path)[1])


@st.composite
def _moves(draw: st.DrawFn) -> tuple[str, list[int]]:
    name = draw(st.sampled_from(DESIGN_NAMES))
    text = (DESIGNS / f"{name}.aif").read_text(encoding="utf-8")
    count = len(_definitions(text))
    # 0 stays in the design, 1 goes to lib.aif, 2 to deep.aif (imported by lib.aif)
    places = draw(st.lists(st.integers(0, 2), min_size=count, max_size=count))
    return name, places


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_moves())
def test_moving_definitions_into_imports_leaves_the_report_unchanged(
    moves: tuple[str, list[int]],
) -> None:
    name, places = moves
    text = (DESIGNS / f"{name}.aif").read_text(encoding="utf-8")
    spans = _definitions(text)
    moved: dict[int, list[str]] = {1: [], 2: []}
    kept, cursor = [], 0
    for (start, end), place in zip(spans, places, strict=True):
        if place:
            kept.append(text[cursor:start])
            moved[place].append(text[start:end])
            cursor = end
    kept.append(text[cursor:])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "deep.aif").write_text("\n".join(moved[2]), encoding="utf-8")
        (root / "lib.aif").write_text('import "deep.aif"\n\n' + "\n".join(moved[1]), "utf-8")
        design = root / "design.aif"
        design.write_text('import "lib.aif"\n\n' + "".join(kept), encoding="utf-8")
        report, codes = _compile(design)
    assert report + "\n" + " ".join(codes) == _baseline(name)
