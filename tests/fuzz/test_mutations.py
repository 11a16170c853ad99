"""A mutation fuzzer over the reference designs.

Each mutant is a reference design with one to three edits: a line deleted,
duplicated or swapped with another, a character flipped, a number replaced
by 0, -1, 1e308, nan, inf or a thousand digits, a huge label or name, a
letter replaced by a Unicode confusable or an invisible character. Whatever
the edit, no exception escapes `compile_file` or the report builder, and
`aifc validate` exits 0, 1 or 2, never 3 (an internal error).

    AIFC_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz    # a longer run
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples

from aiflang.cli import main
from aiflang.driver import build_reports, compile_file
from aiflang.render.json_report import dumps

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = sorted(ROOT.joinpath("reference_designs").glob("*.aif"))
NUMBER = re.compile(r"(?<![A-Za-z_])\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?")
REPLACEMENTS = [
    "0",
    "-1",
    "1e308",
    "1e309",
    "nan",
    "inf",
    "-0",
    "1e-320",
    "0.5",
    "9" * 1000,
    "9" * 5000,  # past int()'s 4,300 digits
    "1_000_000_000_000",
]
CONFUSABLES = [
    "\u0430",  # Cyrillic a
    "\u0435",  # Cyrillic e
    "\u043e",  # Cyrillic o
    "\u0391",  # Greek capital alpha
    "\u00a0",  # no-break space
    "\u200b",  # zero-width space
    "\u202e",  # right-to-left override
    "\uff1d",  # fullwidth equals sign
    "\u2010",  # hyphen
    "\ufeff",  # byte-order mark inside the text
    "\U0001f525",  # an emoji, outside the basic plane
]
# A copy of the reference designs (imports included) that mutants overwrite.
FOLDER = Path(tempfile.mkdtemp(prefix="aifc-mutants-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
shutil.copytree(ROOT / "reference_designs", FOLDER, dirs_exist_ok=True)


def mutate(text: str, kind: str, where: int, choice: int) -> str:
    """One edit of `text`; `where` and `choice` pick the place and the replacement."""
    lines = text.split("\n")
    line = where % len(lines)
    if kind == "delete":
        del lines[line]
    elif kind == "duplicate":
        lines.insert(line, lines[line])
    elif kind == "swap":
        other = choice % len(lines)
        lines[line], lines[other] = lines[other], lines[line]
    elif kind == "number":
        numbers = list(NUMBER.finditer(text))
        if numbers:
            match = numbers[where % len(numbers)]
            value = REPLACEMENTS[choice % len(REPLACEMENTS)]
            return text[: match.start()] + value + text[match.end() :]
    elif kind == "flip":
        position = where % max(1, len(text))
        character = chr(choice % 0x250) if choice % 7 else chr(choice % 0x11000)
        if 0xD800 <= ord(character) <= 0xDFFF:
            character = "?"
        return text[:position] + character + text[position + 1 :]
    elif kind == "confusable":
        letters = [m.start() for m in re.finditer(r"[A-Za-z=\- ]", text)]
        position = letters[where % len(letters)]
        return text[:position] + CONFUSABLES[choice % len(CONFUSABLES)] + text[position + 1 :]
    elif kind == "huge":
        filler = "x" * (10_000 * (1 + choice % 20))
        insert = f'  source = "{filler}"' if choice % 2 else f"  gpu {filler} {{ memory = 1 GB }}"
        lines.insert(line, insert)
    return "\n".join(lines)


KINDS = ["delete", "duplicate", "swap", "number", "flip", "confusable", "huge"]
edits = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="AIFC_FUZZ_EXAMPLES" not in os.environ,
)
@given(st.sampled_from(REFERENCES), edits)
def test_mutants_compile_and_validate_without_internal_errors(
    reference: Path, changes: list[tuple[str, int, int]]
) -> None:
    text = reference.read_text(encoding="utf-8")
    for kind, where, choice in changes:
        text = mutate(text, kind, where, choice)
    path = FOLDER / reference.name
    path.write_text(text, encoding="utf-8")
    try:
        compilation = compile_file(path)
        for report in build_reports(compilation):
            dumps(report)
        result = CliRunner().invoke(main, ["validate", "--format", "json", str(path)])
    finally:
        path.write_text(reference.read_text(encoding="utf-8"), encoding="utf-8")
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr, changes)
    assert "internal error" not in result.stderr


def test_the_mutations_change_the_text() -> None:
    text = REFERENCES[0].read_text(encoding="utf-8")
    for kind in KINDS:
        assert mutate(text, kind, 12345, 678) != text, kind
    assert "1e308" in mutate(text, "number", 0, REPLACEMENTS.index("1e308"))


def test_a_zero_watt_rack_is_an_error_not_a_crash() -> None:
    # Found by this fuzzer: `power = 0 kW` on a rack made the headroom of its hall
    # infinite, and the stranded-power check failed converting it to an integer.
    path = FOLDER / "zero_watt_rack.aif"
    path.write_text(
        "rack r {\n  nodes = 3 x DGX_H100\n  power = 0 kW\n}\n"
        'factory "f" {\n  site { pue = 1.2 }\n'
        "  hall A {\n    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n"
        "    cooling = { air = 1 MW }\n    positions = 10\n    racks = 4 x r\n  }\n}\n",
        encoding="utf-8",
    )
    compilation = compile_file(path)
    assert "E401" in {d.code for d in compilation.sink.sorted()}
    (report,) = build_reports(compilation)
    dumps(report)
