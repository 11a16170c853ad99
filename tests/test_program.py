"""The `aifc` program: `aifc validate FILE...` goes around click and prints what click's
route prints, byte for byte, with the same exit code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiflang.console import echo, plain_validate

ROOT = Path(__file__).resolve().parents[1]

# The short route is `python -m aiflang` (aiflang.program.run); click's route is `main`.
SHORT = "import runpy; runpy.run_module('aiflang', run_name='__main__')"
CLICK = "import gc, sys; gc.disable(); from aiflang.cli import main; sys.argv[0] = 'aifc'; main()"
PROBE = (
    "import atexit, sys\natexit.register(lambda: print('click' in sys.modules, file=sys.stderr))\n"
)


def _run(code: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "", **(env or {})},
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def _both(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple:
    """Each route's (exit code, stdout, stderr); the short one must not import click."""
    short = _run(PROBE + SHORT, args, cwd, env)
    assert short[2].endswith(b"False\n"), short[2]
    short = (short[0], short[1], short[2].removesuffix(b"False\n"))
    return short, _run(CLICK, args, cwd, env)


VALID = ROOT / "reference_designs" / "gb200_two_su.aif"
BROKEN = 'factory f {\n  hall A {\n    positions = 12 kW\n  }\n  gpu = "nope"\n}\n'


@pytest.mark.parametrize(
    "case",
    ["valid", "invalid", "two_files", "folder", "missing", "empty_folder", "json_project"],
)
def test_the_short_route_prints_what_click_prints(case: str, tmp_path: Path) -> None:
    (tmp_path / "bad.aif").write_text(BROKEN, encoding="utf-8")
    args = {
        "valid": [str(VALID)],
        "invalid": ["bad.aif"],
        "two_files": ["bad.aif", str(VALID)],
        "folder": ["."],
        "missing": ["absent.aif"],
        "empty_folder": ["empty"],
        "json_project": ["bad.aif"],
    }[case]
    (tmp_path / "empty").mkdir()
    if case == "json_project":
        (tmp_path / "aifc.toml").write_text('format = "json"\n', encoding="utf-8")
    short, long = _both(["validate", *args], tmp_path)
    assert short == long
    expected = {"valid": 0, "missing": 2, "empty_folder": 2}.get(case, 1)
    assert short[0] == expected, short


def test_a_bug_is_reported_the_same_way(tmp_path: Path) -> None:
    """An internal error exits 3 with one line on both routes (here: a design whose
    cache folder cannot be made is not a bug, so break the compiler itself)."""
    (tmp_path / "d.aif").write_text("factory f {\n}\n", encoding="utf-8")
    crash = (
        "import aiflang.driver as d\n"
        "def boom(*a, **k):\n    raise ValueError('boom')\n"
        "d.compile_file = boom\n"
    )
    short = _run(crash + SHORT, ["validate", "d.aif"], tmp_path)
    long = _run(crash + CLICK, ["validate", "d.aif"], tmp_path)
    assert short == long
    assert short[0] == 3 and b"internal error: ValueError: boom" in short[2]


def test_what_goes_to_click() -> None:
    assert plain_validate(["validate", "a.aif"])
    assert plain_validate(["validate", "designs", "b.aif"])
    assert not plain_validate(["validate"])  # click says what is missing
    assert not plain_validate(["validate", "-"])  # stdin and its options
    assert not plain_validate(["validate", "--strict", "a.aif"])
    assert not plain_validate(["validate", "a.aif", "-q"])
    assert not plain_validate(["validate", "--", "a.aif"])
    assert not plain_validate(["validate", ""])
    assert not plain_validate(["report", "a.aif"])
    assert not plain_validate(["--help"])


def test_options_and_completion_take_clicks_route(tmp_path: Path) -> None:
    (tmp_path / "d.aif").write_text("factory f {\n}\n", encoding="utf-8")
    code, _, err = _run(PROBE + SHORT, ["validate", "--strict", "d.aif"], tmp_path)
    assert err.endswith(b"True\n") and code in (0, 1)
    env = {"_AIFC_COMPLETE": "bash_complete", "COMP_WORDS": "aifc val", "COMP_CWORD": "1"}
    named = "import sys; sys.argv[0] = 'aifc'\n"  # click names the variable after the program
    code, out, err = _run(PROBE + named + SHORT, ["validate", "d.aif"], tmp_path, env)
    assert err.endswith(b"True\n") and out == b"plain,validate\n"
    latin = {"PYTHONIOENCODING": "latin-1"}
    code, _, err = _run(PROBE + SHORT, ["validate", "d.aif"], tmp_path, latin)
    assert err.endswith(b"True\n")


PIECES = [
    "a",
    "é",
    "\n",
    "\x1b[1m",
    "\x1b[0m",
    "\x1b[31;1m",
    "\x1b[?25l",
    "\x1b",
    "[",
    "",
    " ",
    "~",
    "@",
]
TEXT = st.lists(st.sampled_from(PIECES)).map("".join)


def test_echo_strips_whole_control_sequences() -> None:
    """`ESC [ [` is a complete sequence (final byte `[`), as click strips it."""
    stream = io.StringIO()
    saved, sys.stdout = sys.stdout, stream
    try:
        echo("\x1b[[a\x1b[ @b", nl=False, color=False)
    finally:
        sys.stdout = saved
    assert stream.getvalue() == "ab"


@given(TEXT, st.sampled_from([True, False, None]), st.booleans(), st.booleans())
def test_echo_writes_as_click_echo(text: str, color: bool | None, nl: bool, tty: bool) -> None:
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    written = []
    for write in (echo, click.echo):
        stream = Stream()
        saved = sys.stdout
        sys.stdout = stream
        try:
            write(text, nl=nl, color=color)
        finally:
            sys.stdout = saved
        written.append(stream.getvalue())
    assert written[0] == written[1]


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@given(st.lists(st.sampled_from(["a", "Ä", "é", "→", "\n", "\x1b[1m", "\udc80"])).map("".join))
def test_echo_encodes_as_click_echo(encoding: str, text: str) -> None:
    """To a stream in ASCII both write UTF-8 with what cannot be encoded replaced; to any
    other both write in the stream's own encoding, and refuse what it cannot hold alike."""
    outcomes = []
    for write in (echo, click.echo):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
        saved = sys.stdout
        sys.stdout = stream
        try:
            write(text, nl=False, color=False)
            outcome: object = raw.getvalue()
        except UnicodeEncodeError:
            outcome = UnicodeEncodeError
        finally:
            sys.stdout = saved
        outcomes.append(outcome)
    assert outcomes[0] == outcomes[1]


def test_an_ascii_terminal_gets_utf8_not_an_internal_error(tmp_path: Path) -> None:
    """`PYTHONIOENCODING=ascii` takes click's route; a name outside ASCII in a message is
    written as UTF-8, exit 1, as click.echo always did."""
    (tmp_path / "d.aif").write_text(
        "factory f {\n  hall Ä {\n    positions = 12 kW\n  }\n}\n", encoding="utf-8"
    )
    code, out, err = _run(SHORT, ["validate", "d.aif"], tmp_path, {"PYTHONIOENCODING": "ascii"})
    assert code == 1 and "hall Ä".encode() in out and err == b""
