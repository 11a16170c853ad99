"""Every family of hostile input (tests/fuzz/hostile.py), at a size CI can afford.

Whatever the family, `compile_file` and the report builder raise nothing,
`aifc validate` exits 0, 1 or 2 (never 3, an internal error), every
diagnostic has a span, and no file gets more diagnostics of one family than
the limit plus the one that counts the rest. The full-size run, with time
and peak memory per family, is `python benchmarks/bench_hostile.py`; set
AIFC_HOSTILE_SIZE=1048320 to run this test at that size too.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import FAMILIES, FULL, MAX_FILE_BYTES, write

from aiflang.cli import main
from aiflang.diagnostics import MAX_DIAGNOSTICS_PER_FAMILY
from aiflang.driver import build_reports, compile_file
from aiflang.render.json_report import dumps
from aiflang.syntax import parser

SIZE = int(os.environ.get("AIFC_HOSTILE_SIZE", 32 * 1024))


def test_the_generator_knows_the_file_limit() -> None:
    assert MAX_FILE_BYTES == parser.MAX_FILE_BYTES
    assert FULL < MAX_FILE_BYTES


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_gets_an_answer(family: str, tmp_path: Path) -> None:
    main_file = write(family, tmp_path / family, SIZE)
    for path in main_file.parent.iterdir():
        assert path.stat().st_size <= MAX_FILE_BYTES, path
    compilation = compile_file(main_file)
    for report in build_reports(compilation):
        dumps(report)
    found = compilation.sink.sorted()
    assert all(d.span is not None for d in found)
    per_family = Counter(
        (d.span.file if d.span else "", d.code if d.code == "E108" else d.code[:2]) for d in found
    )
    assert max(per_family.values(), default=0) <= MAX_DIAGNOSTICS_PER_FAMILY + 1, per_family
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(main_file)])
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr[-2000:])
    assert "internal error" not in result.stderr
