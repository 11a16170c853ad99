"""Text from a design reaches people safely: terminals, reports, pull-request comments.

Control characters (C0, C1, ESC) in labels, strings, comments or file names
are shown as escapes in every text output, so a design cannot clear the
screen, retitle the window or print a fake verdict. Text-direction controls
("Trojan Source") are a warning in the source (W102) and escaped in every
output; JSON keeps the same data with `\\uXXXX` escapes. Markdown shows bare
URLs and @mentions as code, so a posted comment links and notifies no one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from aiflang import report as rp
from aiflang.cli import main
from aiflang.diagnostics.characters import json_safe, neutralise
from aiflang.driver import compile_file
from aiflang.render.markdown import render_markdown

MakeReport = Callable[..., rp.Report]
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
FAKE = "\rvalid: 0 errors, 0 warnings in 1 file"
OVERWRITE = "\x1b[1A\x1b[2Kvalid: 0 errors, 0 warnings in 1 file"  # up a line, erase it
CSI_C1 = "\x9b31m"
RLO = "\u202e"
LRI = "\u2066"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def hostile(tmp_path: Path) -> Path:
    """A design whose label, comments and rule message carry control sequences."""
    text = REFERENCE.read_text(encoding="utf-8")
    text = text.replace('factory "gb200-two-su"', f'factory "two-su{CLEAR}{TITLE}{RLO}x"', 1)
    text = text.replace(
        "  require halls.A.headroom.power >= 10%",
        f"  # a doc comment {TITLE}{CSI_C1}\n"
        f'  require capacity.gpus >= 1e9 "{CLEAR}{OVERWRITE}"  # {LRI}{FAKE}\n'
        "  require halls.A.headroom.power >= 10%",
        1,
    )
    path = tmp_path / "design.aif"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_text_escapes_control_sequences(tmp_path: Path) -> None:
    path = hostile(tmp_path)
    code, out, err = run("validate", str(path))
    assert code == 1
    assert not RAW.search(out + err), repr(RAW.search(out + err))
    assert "\\u{1b}[2J" in out and "\\u{d}valid: 0 errors" in out and "\\u{1b}[2K" in out
    # The verdict is the real one, and stands on its own line.
    assert out.rstrip().splitlines()[-1].startswith("invalid: 1 error,")


def test_snippet_carets_stay_under_the_escaped_text(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text(f'factory "{CLEAR}" {{ site {{ pue = 0.5 }} }}\n', encoding="utf-8")
    _, out, _ = run("validate", str(path))
    lines = out.splitlines()
    snippet = next(i for i, line in enumerate(lines) if line.startswith("1 | "))
    source, carets = lines[snippet][4:], lines[snippet + 1][4:]
    start = carets.index("^")
    width = carets.count("^")
    assert source[start : start + width] == "0.5", (source, carets)


def test_every_report_format_escapes_control_sequences(tmp_path: Path) -> None:
    path = hostile(tmp_path)
    for fmt in ("html", "md", "json"):
        code, out, _ = run("report", str(path), "--format", fmt)
        assert code == 1
        assert not RAW.search(out), (fmt, RAW.search(out))
    code, out, _ = run("report", str(path), "--format", "json")
    data = json.loads(out)
    assert data["factory"] == f"two-su{CLEAR}{TITLE}{RLO}x"  # the same data, escaped in the text
    for fmt in ("json", "sarif", "github"):
        code, out, _ = run("validate", "--format", fmt, str(path))
        assert code == 1 and not RAW.search(out), (fmt, RAW.search(out))
    code, out, _ = run("compare", str(path), str(REFERENCE))
    assert not RAW.search(out)
    code, out, _ = run("report", str(path), "--explain", "capacity.gpus")
    assert not RAW.search(out)


def test_usage_messages_escape_file_names(tmp_path: Path) -> None:
    name = f"x{TITLE}{RLO}.aif"
    code, _, err = run("validate", str(tmp_path / name))
    assert code == 2 and not RAW.search(err) and "\\u{1b}]0;pwned" in err


def test_direction_controls_in_the_source_are_w102(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text(
        f'# access {RLO}nimda{LRI}\nfactory "f{RLO}" {{\n  site {{ pue = 1.2 }}\n}}\n',
        encoding="utf-8",
    )
    found = [d for d in compile_file(path).sink.sorted() if d.code == "W102"]
    assert [(d.span.line, d.span.column) for d in found if d.span] == [
        (1, 10),
        (2, 11),
    ]  # one a line
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in found[0].message
    assert all(not d.is_error for d in found)
    code, out, _ = run("explain", "W102")
    assert code == 0 and "Trojan Source" in out


def test_direction_controls_are_reported_a_bounded_number_of_times(tmp_path: Path) -> None:
    from aiflang.syntax.parser import MAX_SYNTAX_ERRORS

    path = tmp_path / "d.aif"
    path.write_text(f"# {RLO * 5}\n" * 50_000, encoding="utf-8")
    found = [d for d in compile_file(path).sink.sorted() if d.code == "W102"]
    assert len(found) == MAX_SYNTAX_ERRORS and found[-1].span and found[-1].span.line == 50


def test_markdown_shows_urls_and_mentions_as_code(make_report: MakeReport) -> None:
    report = make_report(factory="ping @octocat and @github/security see https://evil.example/x")
    diagnostic = report.diagnostics[0].model_copy(
        update={"summary": "visit www.evil.example or http://evil.example?a=1|b, cc @someone"}
    )
    md = render_markdown(report.model_copy(update={"diagnostics": [diagnostic]}))
    assert "`@octocat`" in md and "`@github/security`" in md
    assert "`https://evil.example/x`" in md and "`www.evil.example`" in md
    outside_code = re.sub(r"`[^`]*`", "", md)
    assert not re.search(r"@\w", outside_code), outside_code
    assert not re.search(r"https?://|www\.", outside_code), outside_code
    # A pipe inside stays escaped, so a table keeps its shape.
    assert "`http://evil.example?a=1\\|b`" in md


def test_the_escapes_are_visible_and_lossless_in_json() -> None:
    assert neutralise(f"a{CLEAR}b\tc\nd{RLO}") == "a\\u{1b}[2J\\u{1b}[Hb\tc\nd\\u{202e}"
    text = json.dumps({"k": f"{RLO}\x85\x7f"}, ensure_ascii=False)
    safe = json_safe(text)
    assert not RAW.search(safe) and json.loads(safe) == json.loads(text)
