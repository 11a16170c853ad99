"""Every resource limit of docs/limits.md: hit it, and the diagnostic says so.

Each limit is tested just past it (refused, with a message naming the
limit) and at it (accepted), and docs/limits.md must state the same values
as the code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang import units
from aiflang.action import SUMMARY_LIMIT_BYTES
from aiflang.cli import main
from aiflang.diagnostics import MAX_DIAGNOSTICS_PER_FAMILY, Diagnostic
from aiflang.driver import compile_file
from aiflang.frontend import imports
from aiflang.frontend.imports import MAX_IMPORT_DEPTH
from aiflang.frontend.resolve import MAX_EXTENDS_DEPTH
from aiflang.frontend.values import MAX_COUNT, MAX_MAGNITUDE
from aiflang.models.topology import EXPANDED_NODE_LIMIT, GraphTooLarge, build_expanded
from aiflang.render.netbox import CABLE_LIST_LIMIT
from aiflang.sweep import MAX_SAMPLES
from aiflang.sweep.command import MAX_VARIANTS
from aiflang.sweep.space import MAX_STEPS
from aiflang.syntax import build, parser
from aiflang.syntax.parser import MAX_FILE_BYTES, MAX_NESTING, MAX_SYNTAX_ERRORS

ROOT = Path(__file__).resolve().parents[1]


def diagnostics(path: Path) -> list[Diagnostic]:
    return compile_file(path).sink.sorted()


def with_code(found: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in found if d.code == code]


LIMITS = {
    "aiflang.syntax.parser.MAX_FILE_BYTES": f"{MAX_FILE_BYTES:,}",
    "aiflang.syntax.parser.MAX_FILE_TOKENS": f"{parser.MAX_FILE_TOKENS:,}",
    "aiflang.syntax.parser.MAX_LINE_TOKENS": f"{parser.MAX_LINE_TOKENS:,}",
    "aiflang.syntax.build.MAX_BLOCKS": f"{build.MAX_BLOCKS:,}",
    "aiflang.syntax.parser.MAX_NESTING": f"{MAX_NESTING}",
    "aiflang.syntax.build.MAX_NUMBER_DIGITS": f"{build.MAX_NUMBER_DIGITS}",
    "aiflang.syntax.build.MAX_VALUE_ITEMS": f"{build.MAX_VALUE_ITEMS:,}",
    "aiflang.syntax.build.MAX_PATH_SEGMENTS": f"{build.MAX_PATH_SEGMENTS}",
    "aiflang.units.MAX_UNIT_TERMS": f"{units.MAX_UNIT_TERMS}",
    "aiflang.units.MAX_UNIT_EXPONENT": f"{units.MAX_UNIT_EXPONENT}",
    "aiflang.syntax.parser.MAX_SYNTAX_ERRORS": f"{MAX_SYNTAX_ERRORS}",
    "aiflang.syntax.parser.MAX_ERROR_EVENTS": f"{parser.MAX_ERROR_EVENTS:,}",
    "aiflang.diagnostics.MAX_DIAGNOSTICS_PER_FAMILY": f"{MAX_DIAGNOSTICS_PER_FAMILY}",
    "aiflang.frontend.values.MAX_COUNT": f"{MAX_COUNT:,}",
    "aiflang.frontend.values.MAX_MAGNITUDE": f"{MAX_MAGNITUDE:g}",
    "aiflang.frontend.imports.MAX_IMPORT_DEPTH": f"{MAX_IMPORT_DEPTH}",
    "aiflang.frontend.imports.MAX_IMPORTS_PER_FILE": f"{imports.MAX_IMPORTS_PER_FILE}",
    "aiflang.frontend.imports.MAX_DESIGN_FILES": f"{imports.MAX_DESIGN_FILES}",
    "aiflang.frontend.imports.MAX_DESIGN_BYTES": f"{imports.MAX_DESIGN_BYTES:,}",
    "aiflang.frontend.resolve.MAX_EXTENDS_DEPTH": f"{MAX_EXTENDS_DEPTH}",
    "aiflang.models.topology.EXPANDED_NODE_LIMIT": f"{EXPANDED_NODE_LIMIT:,}",
    "aiflang.render.netbox.CABLE_LIST_LIMIT": f"{CABLE_LIST_LIMIT:,}",
    "aiflang.action.SUMMARY_LIMIT_BYTES": f"{SUMMARY_LIMIT_BYTES:,}",
    "aiflang.sweep.command.MAX_VARIANTS": f"{MAX_VARIANTS:,}",
    "aiflang.sweep.space.MAX_STEPS": f"{MAX_STEPS:,}",
    "aiflang.sweep.MAX_SAMPLES": f"{MAX_SAMPLES:,}",
}


def test_the_documented_limits_are_the_code_s() -> None:
    """Each limit's row names its constant and states its value, as the code has it."""
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = [line for line in text.split("\n") if line.startswith("| ")]
    for constant, value in LIMITS.items():
        (row,) = [r for r in rows if f"`{constant}`" in r]
        assert re.search(rf"(?<![\d,.]){re.escape(value)}(?![\d,])", row), (constant, value)
    assert f"{1 / MAX_MAGNITUDE:g}" in text
    # Every constant the rows name is one of these: no limit in the doc escapes the check.
    named = set(re.findall(r"`(aiflang\.[a-z_.]+\.[A-Z_]+)`", text))
    assert named == set(LIMITS), named ^ set(LIMITS)


# File size ------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_e108(tmp_path: Path) -> None:
    path = tmp_path / "big.aif"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    (found,) = diagnostics(path)
    assert found.code == "E108" and found.is_error
    assert found.message == (
        f"file is {MAX_FILE_BYTES + 1:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes"
    )
    assert found.span is not None and found.span.file == str(path)
    assert "import" in (found.help or "")


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.aif"
    header = b"node n {\n  gpus = 8 x H100\n}\n"
    path.write_bytes(header + b"#" * (MAX_FILE_BYTES - len(header) - 1) + b"\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert diagnostics(path) == []


# Nesting --------------------------------------------------------------------


def nested(depth: int) -> str:
    """A node whose `power` is maps nested `depth` levels deep, with the node's block."""
    return "node n {\n  power = " + "{ a = " * (depth - 1) + "1" + " }" * (depth - 1) + "\n}\n"


def test_nesting_past_the_limit_is_e108(tmp_path: Path) -> None:
    path = tmp_path / "deep.aif"
    path.write_text(nested(MAX_NESTING + 1), encoding="utf-8")
    (found,) = diagnostics(path)
    assert found.code == "E108"
    assert found.message == f"blocks nest deeper than {MAX_NESTING} levels"
    assert found.span is not None and found.span.line == 2
    # The span points at the bracket that went one level too deep.
    assert found.span.column == len("  power = ") + 1 + len("{ a = ") * (MAX_NESTING - 1)


def test_nesting_at_the_limit_is_not_a_limit_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.aif"
    path.write_text(nested(MAX_NESTING), encoding="utf-8")
    found = diagnostics(path)
    assert found, "a map is still a wrong value for power"
    assert not with_code(found, "E108")


# Syntax errors per file -----------------------------------------------------


def broken(lines: int) -> str:
    return "".join(f"node n{i} {{ power = }}\n" for i in range(lines))


def test_syntax_errors_stop_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "broken.aif"
    path.write_text(broken(MAX_SYNTAX_ERRORS * 3), encoding="utf-8")
    found = diagnostics(path)
    limit = with_code(found, "E108")
    assert len(limit) == 1
    assert limit[0].message == f"too many syntax errors; stopped after {MAX_SYNTAX_ERRORS}"
    assert len([d for d in found if d.code != "E108"]) == MAX_SYNTAX_ERRORS


def test_fewer_syntax_errors_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.aif"
    path.write_text(broken(MAX_SYNTAX_ERRORS - 1), encoding="utf-8")
    found = diagnostics(path)
    assert not with_code(found, "E108")
    assert len(found) == MAX_SYNTAX_ERRORS - 1


# Counts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "reason"),
    [
        (f"{MAX_COUNT + 1}", f"over the limit of {MAX_COUNT:,}"),
        ("1e308", f"over the limit of {MAX_COUNT:,}"),
        ("0", "not positive"),
        ("-3", "not positive"),
        ("2.5", "not a whole number"),
    ],
)
def test_counts_outside_the_range_are_e210(tmp_path: Path, count: str, reason: str) -> None:
    path = tmp_path / "count.aif"
    path.write_text(f"node n {{\n  gpus = {count} x H100\n}}\n", encoding="utf-8")
    found = diagnostics(path)
    (error,) = with_code(found, "E210") or with_code(found, "E102")
    assert error.code == "E210", found
    assert reason in error.message
    assert error.help == f"counts run from 1 to {MAX_COUNT:,}"


@pytest.mark.parametrize("count", ["1", f"{MAX_COUNT}", "100 million"])
def test_counts_inside_the_range_are_accepted(tmp_path: Path, count: str) -> None:
    path = tmp_path / "count.aif"
    path.write_text(f"node n {{\n  gpus = {count} x H100\n}}\n", encoding="utf-8")
    assert diagnostics(path) == []


# Magnitudes --------------------------------------------------------------------

FINANCE = """\
factory "f" {
  site { pue = 1.2 }
  finance { software_license = LICENSE USD/GPU/year }
}
"""


@pytest.mark.parametrize("value", ["1e308", "-1e31", "1e-320", "2e30"])
def test_numbers_out_of_range_are_e210(tmp_path: Path, value: str) -> None:
    # 1e308 USD/GPU/year is finite, but times the GPUs and the years it is not.
    path = tmp_path / "big.aif"
    path.write_text(FINANCE.replace("LICENSE", value), encoding="utf-8")
    (error,) = with_code(diagnostics(path), "E210")
    assert error.message == f"`software_license` = {value} is out of range"
    assert (
        error.help
        == f"numbers in a design are 0 or between {1 / MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    )


@pytest.mark.parametrize("value", ["0", "1e30", "1e-30", "4500"])
def test_numbers_in_range_are_accepted(tmp_path: Path, value: str) -> None:
    path = tmp_path / "big.aif"
    path.write_text(FINANCE.replace("LICENSE", value), encoding="utf-8")
    assert not with_code(diagnostics(path), "E210")


def test_ratio_and_redundancy_terms_out_of_range_are_e210(tmp_path: Path) -> None:
    digits = "9" * 50  # within the digit limit, but 1e50 is out of range
    path = tmp_path / "big.aif"
    path.write_text(
        'factory "f" {\n  site { pue = 1.2 }\n'
        f"  hall A {{\n    it_power = 1 MW\n    ups = 4 x 1 MW\n    redundancy = {digits}/2\n"
        "    positions = 4\n  }\n"
        f"  fabric c {{\n    connects = compute\n    leaf = SN5600\n"
        f"    oversubscription = {digits}:1\n  }}\n}}\n",
        encoding="utf-8",
    )
    messages = sorted(d.message for d in with_code(diagnostics(path), "E210"))
    assert len(messages) == 2
    assert messages[0].startswith("ratio 999") and messages[0].endswith("is out of range")
    assert messages[1] == f"redundancy {digits[:37]}... is out of range"


# Import depth -----------------------------------------------------------------


def import_chain(folder: Path, files: int) -> Path:
    """main.aif imports f1.aif, which imports f2.aif, ..., `files` files in all."""
    for index in range(1, files):
        follows = f'import "f{index + 1}.aif"\n' if index < files - 1 else ""
        (folder / f"f{index}.aif").write_text(
            f"{follows}node n{index} {{\n  gpus = 8 x H100\n}}\n", encoding="utf-8"
        )
    main = folder / "main.aif"
    main.write_text('import "f1.aif"\n', encoding="utf-8")
    return main


def test_imports_past_the_depth_limit_are_e108(tmp_path: Path) -> None:
    found = diagnostics(import_chain(tmp_path, MAX_IMPORT_DEPTH + 1))
    (error,) = found
    assert error.code == "E108"
    assert error.message == f"imports nest deeper than {MAX_IMPORT_DEPTH} files"
    assert error.span is not None
    assert Path(error.span.file).name == f"f{MAX_IMPORT_DEPTH - 1}.aif"


def test_imports_at_the_depth_limit_resolve(tmp_path: Path) -> None:
    assert diagnostics(import_chain(tmp_path, MAX_IMPORT_DEPTH)) == []


# Expanded graph -----------------------------------------------------------------

FABRIC_DESIGN = """\
factory "big" {
  site { pue = 1.2, utility = 500 MW }
  hall A {
    it_power   = 60 MW
    ups        = 25 x 3 MW
    redundancy = N+1
    cooling    = { liquid = 60 MW, air = 15 MW }
    positions  = 500
    racks      = RACKS x GB200_NVL72
  }
  fabric compute {
    connects = compute
    topology = rail_optimized
    leaf     = Q3400
    spine    = Q3400
  }
}
"""


def graph(tmp_path: Path, racks: int) -> tuple[int, str, str]:
    path = tmp_path / "big.aif"
    path.write_text(FABRIC_DESIGN.replace("RACKS", str(racks)), encoding="utf-8")
    result = CliRunner().invoke(main, ["graph", "--expand", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_an_expanded_graph_past_the_limit_is_refused(tmp_path: Path) -> None:
    racks = EXPANDED_NODE_LIMIT // 72 + 1  # more GPUs than nodes allowed, before switches
    code, out, err = graph(tmp_path, racks)
    assert code == 2 and out == ""
    assert f"over the limit of {EXPANDED_NODE_LIMIT:,}" in err
    assert "drop --expand" in err
    compilation = compile_file(tmp_path / "big.aif")
    plan = compilation.facts[0].fabric_plans["compute"]
    with pytest.raises(GraphTooLarge) as raised:
        build_expanded(plan)
    assert raised.value.limit == EXPANDED_NODE_LIMIT
    assert f"over the limit of {EXPANDED_NODE_LIMIT:,}" in str(raised.value)


def test_an_expanded_graph_under_the_limit_is_drawn(tmp_path: Path) -> None:
    code, out, _ = graph(tmp_path, 4)
    assert code == 0 and out.startswith(("graph", "strict graph", "digraph"))
    assert out.count(" -- ") >= 4 * 72  # at least one link per GPU endpoint


def test_the_limits_hold_in_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "big.aif"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["validate", "big.aif"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1
    assert f"error[E108]: file is {MAX_FILE_BYTES + 1:,} bytes" in result.stdout
