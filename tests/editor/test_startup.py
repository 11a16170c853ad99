"""`aifc --help` and `aifc validate` never import the language server or Pygments.

The server's dependencies (pygls, lsprotocol, cattrs) take about a second to
import; they belong to `aifc lsp` alone. Checked in a fresh interpreter,
running the command line in process and reading `sys.modules` afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pygls", "lsprotocol", "cattrs", "aiflang.lsp", "pygments", "aiflang.pygments_lexer")

SCRIPT = """
import json, sys
from aiflang.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {heavy} or m.startswith("aiflang.lsp"))
print("MODULES=" + json.dumps(loaded))
"""


def _modules_after(*args: str) -> list[str]:
    heavy = {h.split(".")[0] for h in HEAVY if not h.startswith("aiflang")}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("{heavy}", repr(heavy)), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES="))
    loaded: list[str] = json.loads(line.removeprefix("MODULES="))
    return loaded


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("validate", "reference_designs/gb200_two_su.aif"),
        ("validate", "--format", "concise", "reference_designs/gb200_two_su.aif"),
        ("fmt", "--check", "reference_designs/gb200_two_su.aif"),
    ],
    ids=lambda a: " ".join(a),
)
def test_no_server_or_lexer_modules_on_the_command_line(args: tuple[str, ...]) -> None:
    assert _modules_after(*args) == []


def test_the_check_sees_the_server_when_it_is_imported() -> None:
    # The same check run on `aifc lsp --help` sees nothing either; importing the
    # server module itself must show up, or the check above proves nothing.
    script = SCRIPT.replace("from aiflang.cli import main", "import aiflang.lsp.server\n"
                            "from aiflang.cli import main")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", script.replace("{heavy}", repr({"pygls", "lsprotocol"})), "--help"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert "pygls" in result.stdout and "aiflang.lsp.server" in result.stdout
