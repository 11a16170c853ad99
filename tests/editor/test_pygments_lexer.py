"""The Pygments lexer: registered for `pygmentize -l aif`, no error token on any
text the parser accepts, and the tokens a reader expects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator

from aiflang.pygments_lexer import AifLexer
from aiflang.resources import catalog_dir
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *sorted((ROOT / "reference_designs").glob("*.aif")),
    *sorted((ROOT / "tests" / "cases").rglob("*.aif")),
    *sorted(catalog_dir().glob("*.aif")),
]
PARSING = [p for p in FILES if parse_source(p.read_text(encoding="utf-8"), str(p)).ok]


def test_most_files_parse() -> None:
    # Guards the parametrised test below from running on nothing.
    assert len(PARSING) >= 50
    assert all(p in PARSING for p in FILES if "reference_designs" in str(p))


@pytest.mark.parametrize("path", PARSING, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_no_error_tokens(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    errors = [(t, v) for t, v in AifLexer().get_tokens(text) if t in Error]
    assert errors == []


def test_it_is_registered_as_an_entry_point() -> None:
    assert isinstance(get_lexer_by_name("aif"), AifLexer)
    assert isinstance(get_lexer_for_filename("design.aif"), AifLexer)


def test_pygmentize_highlights_a_design() -> None:
    script = Path(sys.executable).parent / "pygmentize"
    design = ROOT / "reference_designs" / "gb200_two_su.aif"
    result = subprocess.run(
        [str(script), "-l", "aif", "-f", "html", str(design)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert '<span class="na">it_power</span>' in result.stdout  # Name.Attribute
    assert '<span class="kt">MW</span>' in result.stdout  # Keyword.Type: a unit


def test_tokens_mean_what_they_say() -> None:
    text = (
        "gpu big extends H100 { tdp = 800 W }  # aifc: ignore[W401]\n"
        "factory f {\n"
        "  hall A { racks = 16 x GB200_NVL72, redundancy = N+1 }\n"
        '  train "t" { params = 405 billion, mfu = 40% }\n'
        "  fabric c { oversubscription = 3:1 }\n"
        "  require capacity.gpus >= 1_152\n"
        "}\n"
    )
    tokens = [(t, v) for t, v in AifLexer().get_tokens(text) if v.strip()]
    kinds = dict((v, t) for t, v in tokens)
    assert kinds["gpu"] is Keyword.Declaration and kinds["big"] is Name.Class
    assert kinds["extends"] is Keyword and kinds["H100"] is Name.Class
    assert kinds["tdp"] is Name.Attribute and kinds["800"] is Number
    assert kinds["W"] is Keyword.Type and kinds["%"] is Keyword.Type
    assert kinds["x"] is Operator.Word and kinds["GB200_NVL72"] is Name
    assert kinds["N+1"] is Keyword.Constant and kinds["3:1"] is Number
    assert kinds["billion"] is Number and kinds['"t"'] is Name.Class
    assert kinds["require"] is Keyword.Namespace and kinds[">="] is Operator
    assert kinds["# aifc: ignore[W401]"] is Comment.Special
