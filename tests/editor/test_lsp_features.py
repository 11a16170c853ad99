"""The server's answers in process, at every place of valid and broken text.

The end-to-end tests (test_lsp.py) prove each feature through a real
client; these walk every line and column of a design, whole and cut short,
to prove no request fails on text being typed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from aiflang.lsp import features
from aiflang.lsp.complete import context_at
from aiflang.lsp.document import analyse_document
from aiflang.lsp.positions import Lines

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "reference_designs" / "gb200_two_su.aif").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [REFERENCE, REFERENCE[: len(REFERENCE) // 2], REFERENCE.replace("=", "", 3), "factory {"],
    ids=["valid", "cut-short", "missing-equals", "one-line"],
)
def test_every_request_answers_everywhere(tmp_path: Path, text: str) -> None:
    document = analyse_document((tmp_path / "d.aif").as_uri(), text)
    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=999, character=0)
    )
    features.symbols(document)
    features.formatting(document)
    features.inlay_hints(document, whole)
    for line, content in enumerate(text.split("\n")):
        for character in range(0, len(content) + 1, 3):
            position = types.Position(line=line, character=character)
            features.hover(document, position)
            features.completion(document, position)
            features.definition(document, position)
        features.code_actions(
            document,
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=document.uri),
                range=types.Range(start=types.Position(line=line, character=0), end=whole.end),
                context=types.CodeActionContext(diagnostics=[]),
            ),
        )


def test_positions_count_utf16_units() -> None:
    lines = Lines('a = "😀" # é\nb')
    # The emoji is two UTF-16 units: the character after it is at unit 7, offset 6.
    assert lines.position(1, 7) == types.Position(line=0, character=7)
    assert lines.offset(types.Position(line=0, character=7)) == 6
    assert lines.offset(types.Position(line=1, character=1)) == len('a = "😀" # é\nb')


def test_completion_context_reads_open_blocks_and_maps() -> None:
    text = "factory f {\n  hall A {\n    cooling = { liquid = 2 MW, air = "
    context = context_at(text, len(text))
    assert context.blocks == [("factory", "f"), ("hall", "A"), ("=", "cooling")]
    assert context.fragment == " air = "


def test_lsp_without_pygls_is_one_line_and_exit_2() -> None:
    script = (
        "import sys; sys.modules['pygls'] = None; sys.modules['pygls.lsp.server'] = None\n"
        "from aiflang.cli import main\nmain(['lsp'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'aiflang[lsp]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
