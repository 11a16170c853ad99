"""What CI relies on: GitHub annotations, --strict, --max-errors, --quiet, suppressions.

The designs produce real findings from the analyses: a 2:1 compute fabric
under a training workload (W301), a UPS plant without redundancy (W401), a
failing `require` rule (E601) and a hall over its IT capacity (E402).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.diagnostics import Diagnostic, Severity, Span
from aiflang.render.github import render_github

POD = """\
factory "pod" {
  site { utility = 4 MW, pue = 1.3, power_price = 0.08 USD/kWh, build_cost = 12 million USD/MW }

  hall A {
    it_power   = 2 MW
    ups        = UPS
    redundancy = REDUNDANCY
    cooling    = { air = 2 MW }
    positions  = 50
    racks      = 32 x DGX_H100_rack
  }

  fabric compute {
    connects         = compute
    topology         = rail_optimized
    oversubscription = 2:1
    leaf             = QM9700
    spine            = QM9700
  }

  train "llama3-70b" {
    params = 70 billion
    tokens = 15 trillion
    mfu    = 40%
  }
REQUIRE}
"""


def pod(redundancy: str = "N+1", require: str = "") -> str:
    # Without a spare module the plant is one module smaller, so it still matches it_power.
    ups = "4 x 0.5 MW" if redundancy == "N" else "5 x 0.5 MW"
    return (
        POD.replace("UPS", ups)
        .replace("REDUNDANCY", redundancy)
        .replace("REQUIRE", f"  {require}" if require else "")
    )


def validate(tmp_path: Path, text: str, *args: str, name: str = "d.aif") -> tuple[int, str]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["validate", *args, name], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def codes(tmp_path: Path, text: str, *args: str) -> tuple[int, list[str]]:
    code, out = validate(tmp_path, text, "--format", "json", *args)
    return code, [d["code"] for d in json.loads(out)["diagnostics"]]


def line_of(tmp_path: Path, text: str, code: str) -> int:
    """The line a finding is reported on (the analyses choose the span, not this test)."""
    _, out = validate(tmp_path, text, "--format", "json")
    lines = [
        d["range"]["start"]["line"] for d in json.loads(out)["diagnostics"] if d["code"] == code
    ]
    assert len(lines) == 1, (code, lines)
    return int(lines[0])


def suppress(tmp_path: Path, text: str, code: str, codes: str | None = None) -> str:
    """`text` with `# aifc: ignore[codes]` at the end of the line that reports `code`."""
    lines = text.split("\n")
    number = line_of(tmp_path, text, code)
    lines[number - 1] += f"  # aifc: ignore[{codes or code}]"
    return "\n".join(lines)


def test_the_designs_produce_the_findings_the_tests_rely_on(tmp_path: Path) -> None:
    assert codes(tmp_path, pod()) == (0, ["W301"])
    assert codes(tmp_path, pod(redundancy="N")) == (0, ["W401", "W301"])


# GitHub workflow commands -------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def parse_annotations(out: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in out.splitlines():
        match = ANNOTATION.match(line)
        assert match, f"not a workflow command: {line!r}"
        level, raw, message = match.groups()
        properties = dict(item.split("=", 1) for item in raw.split(","))
        found.append((level, properties, message))
    return found


def unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def test_github_annotations_escape_data_and_properties(tmp_path: Path) -> None:
    rule = 'require capacity.gpus >= 5000 "need 100% of 5,000: GPUs"\n'
    code, out = validate(tmp_path, pod(require=rule), "--format", "github", name="a,b:c%.aif")
    assert code == 1
    annotations = parse_annotations(out)
    assert [(level, props["title"]) for level, props, _ in annotations] == [
        ("warning", "W301"),
        ("error", "E601"),
    ]
    for _, props, message in annotations:
        assert props["file"] == "a%2Cb%3Ac%25.aif"
        assert unescape(props["file"]) == "a,b:c%.aif"
        assert "\n" not in message and "%0Ahelp: " in message
    _, props, message = annotations[1]
    assert props["line"] == "26" and props["col"] == "3" and props["endLine"] == "26"
    assert "(need 100%25 of 5,000: GPUs)" in message
    assert unescape(message).startswith("requirement failed: capacity.gpus is 1,024")
    assert "\nhelp: change the design or the rule" in unescape(message)


def test_github_escaping_of_every_special_character() -> None:
    diagnostic = Diagnostic(
        "W301",
        Severity.WARNING,
        "50% over\r\nsecond line: a, b",
        Span("dir,1/x:y%.aif", 3, 4, 3, 9),
        help="fix: it",
    )
    (line,) = render_github([diagnostic]).splitlines()
    assert line == (
        "::warning file=dir%2C1/x%3Ay%25.aif,line=3,col=4,endLine=3,endColumn=9,title=W301::"
        "50%25 over%0D%0Asecond line: a, b%0Ahelp: fix: it"
    )


def test_github_output_is_empty_for_a_clean_design(tmp_path: Path) -> None:
    code, out = validate(tmp_path, suppress(tmp_path, pod(), "W301"), "--format", "github")
    assert (code, out) == (0, "")


# --strict, --max-errors, --quiet ---------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_strict_makes_warnings_fail_in_every_format(tmp_path: Path, fmt: str) -> None:
    assert validate(tmp_path, pod(), "--format", fmt)[0] == 0
    assert validate(tmp_path, pod(), "--format", fmt, "--strict")[0] == 1


def test_strict_passes_a_design_without_warnings(tmp_path: Path) -> None:
    clean = suppress(tmp_path, pod(), "W301")
    code, out = validate(tmp_path, clean, "--strict")
    assert code == 0 and "valid: 0 errors, 0 warnings" in out


THREE_ERRORS = """\
node a {
  gpus = 8 x H10
}
node b {
  gpus = 8 x H20
}
node c {
  gpus = 8 x H30
}
"""


def test_max_errors_limits_what_is_shown_not_what_is_counted(tmp_path: Path) -> None:
    code, out = validate(tmp_path, THREE_ERRORS, "--max-errors", "2")
    assert code == 1
    assert out.count("error[") == 2
    assert "... 1 more not shown (--max-errors)" in out
    assert "invalid: 3 errors, 0 warnings" in out
    code, out = validate(tmp_path, THREE_ERRORS, "--format", "json", "--max-errors", "1")
    data = json.loads(out)
    assert code == 1 and len(data["diagnostics"]) == 1
    assert data["diagnostics"][0]["code"] == "E201"
    assert data["error_count"] == 3 and data["valid"] is False
    code, out = validate(tmp_path, THREE_ERRORS, "--format", "sarif", "--max-errors", "2")
    assert len(json.loads(out)["runs"][0]["results"]) == 2
    code, out = validate(tmp_path, THREE_ERRORS, "--format", "github", "--max-errors", "1")
    assert len(out.splitlines()) == 1


def test_max_errors_must_be_positive(tmp_path: Path) -> None:
    assert validate(tmp_path, THREE_ERRORS, "--max-errors", "0")[0] == 2


def test_quiet_shows_errors_and_the_summary_only(tmp_path: Path) -> None:
    rule = "require capacity.gpus >= 5000\n"
    code, out = validate(tmp_path, pod(require=rule), "--quiet")
    assert code == 1
    assert "error[E601]" in out and "warning[" not in out
    assert "invalid: 1 error, 1 warning" in out
    code, out = validate(tmp_path, pod(), "--quiet")
    assert code == 0 and "warning[" not in out and "valid: 0 errors, 1 warning" in out
    code, out = validate(tmp_path, pod(), "--quiet", "--format", "json")
    data = json.loads(out)
    assert data["diagnostics"] == [] and data["warning_count"] == 1
    code, out = validate(tmp_path, pod(), "-q", "--format", "github")
    assert (code, out) == (0, "")
    assert validate(tmp_path, pod(), "--quiet", "--strict")[0] == 1


# Suppressions ------------------------------------------------------------------


def test_a_suppressed_warning_disappears(tmp_path: Path) -> None:
    text = suppress(tmp_path, pod(), "W301")
    assert codes(tmp_path, text) == (0, [])
    assert codes(tmp_path, text, "--strict") == (0, [])


def test_suppression_is_per_line_and_per_code(tmp_path: Path) -> None:
    # On the line of W401 it hides W401 but not W301, which is reported elsewhere.
    text = suppress(tmp_path, pod(redundancy="N"), "W401")
    assert codes(tmp_path, text) == (0, ["W301"])
    # Several codes on one line, in any case.
    text = suppress(tmp_path, pod(), "W301", "w301, W302")
    code, found = codes(tmp_path, text)
    assert (code, found) == (0, ["W101"])
    _, out = validate(tmp_path, text)
    assert "`# aifc: ignore[W302]` suppresses nothing on this line" in out


def test_a_useless_suppression_is_w101(tmp_path: Path) -> None:
    # On a line of its own, where nothing is ever reported.
    text = pod().replace("  hall A {", "  # aifc: ignore[W401]\n  hall A {")
    code, out = validate(tmp_path, text, "--format", "json")
    diagnostics = json.loads(out)["diagnostics"]
    assert code == 0
    assert [d["code"] for d in diagnostics] == ["W101", "W301"]
    w101 = diagnostics[0]
    assert w101["range"]["start"]["line"] == 4
    assert w101["snippet"].endswith("# aifc: ignore[W401]")
    assert validate(tmp_path, text, "--strict")[0] == 1


def test_errors_cannot_be_suppressed(tmp_path: Path) -> None:
    text = suppress(tmp_path, pod(require="require capacity.gpus >= 5000\n"), "E601")
    assert "# aifc: ignore[E601]" in text
    code, found = codes(tmp_path, text)
    assert code == 1
    assert "E601" in found and "W101" in found


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    # `aifc validate designs/ | head -1`: the reader leaves after one line. Each file shows
    # at most 50 errors of a family, so it takes many files to fill the pipe.
    for index in range(40):
        (tmp_path / f"many{index:02}.aif").write_text(
            "".join(f"node n{i} {{\n  gpus = 8 x H{i}X\n}}\n" for i in range(60)),
            encoding="utf-8",
        )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "compiler")}
    child = subprocess.Popen(
        [sys.executable, "-m", "aiflang", "validate", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    child.stdout.close()
    error = child.stderr.read().decode()
    code = child.wait()
    assert first.startswith(b"error[E201]")
    assert code == 2, error
    assert "internal error" not in error and "Traceback" not in error
