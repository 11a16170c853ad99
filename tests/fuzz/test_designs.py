"""Properties of the whole pipeline on random well-formed designs.

No exception escapes `compile_file` or the report builder; every finding has
a span; a hall's IT load grows with its rack count; validate and the JSON
report are deterministic (also across processes with different hash seeds);
`fmt` keeps the syntax model and is idempotent.

    AIFC_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz    # a longer run
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import DesignSpec, designs, examples

from aiflang.driver import Compilation, build_reports, compile_source
from aiflang.render.json_report import dumps
from aiflang.report import validation_report
from aiflang.syntax.formatter import format_source
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[2]
FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # The default CI run is the same every time; a longer run explores afresh.
    derandomize="AIFC_FUZZ_EXAMPLES" not in os.environ,
)


# One folder for the whole run, so file names in the output are the same every time.
FOLDER = Path(tempfile.mkdtemp(prefix="aifc-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)


def compile_text(text: str) -> Compilation:
    return compile_source(text, root=FOLDER)


def outputs(text: str) -> tuple[str, list[str]]:
    """The validate JSON and the JSON reports of one compilation, as text."""
    compilation = compile_text(text)
    validation = dumps(validation_report(compilation.diagnostics, compilation.sources))
    return validation, [dumps(report) for report in build_reports(compilation)]


@FUZZ
@given(designs())
def test_no_exception_escapes_and_every_finding_has_a_span(spec: DesignSpec) -> None:
    text = spec.render()
    compilation = compile_text(text)
    for diagnostic in compilation.sink.sorted():
        assert diagnostic.span is not None, diagnostic
        assert diagnostic.span.line >= 1 and diagnostic.span.column >= 1, diagnostic
    # The front end accepts every generated design: the analyses all ran.
    blocking = [d for d in compilation.sink.sorted() if d.code[:2] in ("E1", "E2")]
    assert not blocking, (blocking, text)
    assert len(compilation.facts) == 1
    (report,) = build_reports(compilation)
    assert [hall.name for hall in report.halls] == [hall.name for hall in spec.halls]
    dumps(report)  # finite numbers only: dumps refuses NaN and infinity


@FUZZ
@given(designs(), st.data())
def test_hall_it_load_grows_with_its_racks(spec: DesignSpec, data: st.DataObject) -> None:
    hall = data.draw(st.integers(0, len(spec.halls) - 1), label="hall")
    entry = data.draw(st.integers(0, len(spec.halls[hall].racks) - 1), label="entry")
    count = spec.halls[hall].racks[entry][0]
    more = spec.with_racks(hall, entry, count + data.draw(st.integers(1, 300), label="added"))
    (before,) = build_reports(compile_text(spec.render()))
    (after,) = build_reports(compile_text(more.render()))
    # Only the hall that gained racks: shared spine and core switches are apportioned
    # to halls by their share of endpoints, so another hall's share may shrink.
    old, new = before.halls[hall], after.halls[hall]
    assert new.it_load_w > old.it_load_w, (old.it_load_w, new.it_load_w)
    assert new.racks > old.racks
    assert len(after.halls) == len(before.halls)


@FUZZ
@given(designs())
def test_validate_and_report_are_deterministic(spec: DesignSpec) -> None:
    text = spec.render()
    assert outputs(text) == outputs(text)


@settings(FUZZ, max_examples=max(2, examples(60) // 12))
@given(designs())
def test_validate_is_deterministic_across_processes(spec: DesignSpec) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.aif"
        path.write_text(spec.render(), encoding="utf-8")
        runs = []
        for seed in ("1", "2"):
            env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "compiler")}
            completed = subprocess.run(
                [sys.executable, "-m", "aiflang", "validate", "--format", "json", str(path)],
                capture_output=True,
                env=env,
                check=False,
            )
            assert completed.returncode in (0, 1), completed.stderr
            runs.append(completed.stdout)
        assert runs[0] == runs[1]


@FUZZ
@given(designs())
def test_fmt_keeps_the_model_and_is_idempotent(spec: DesignSpec) -> None:
    text = spec.render()
    original = parse_source(text, "d.aif")
    assert original.ok, original.diagnostics
    formatted = format_source(text, "d.aif")
    again = parse_source(formatted, "d.aif")
    assert again.ok and again.module.entries == original.module.entries
    assert format_source(formatted, "d.aif") == formatted
