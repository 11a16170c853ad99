"""Chunked re-parsing gives exactly the whole-file parse: entries, spans, docs, comments."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from aiflang.resources import catalog_dir
from aiflang.syntax.incremental import ChunkedParser, _chunks
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *sorted((ROOT / "reference_designs").glob("*.aif")),
    *sorted((ROOT / "tests" / "cases").rglob("*.aif")),
    *sorted(catalog_dir().glob("*.aif")),
]


def deep(node: Any) -> Any:
    """Everything a node holds, spans and docs included (equality ignores them)."""
    if isinstance(node, tuple | list):
        return tuple(deep(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        fields = [(f.name, deep(getattr(node, f.name))) for f in dataclasses.fields(node)]
        return (type(node).__name__, *fields)
    return node


def same(text: str, parser: ChunkedParser, file: str = "design.aif") -> None:
    whole = parse_source(text, file)
    chunked = parser(text, file)
    assert deep(chunked.module) == deep(whole.module)
    assert [deep(d) for d in chunked.diagnostics] == [deep(d) for d in whole.diagnostics]
    assert chunked.text == whole.text


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_chunked_equals_whole(path: Path) -> None:
    same(path.read_text(encoding="utf-8"), ChunkedParser(), str(path))


def test_edits_reuse_chunks_and_stay_exact() -> None:
    text = (ROOT / "reference_designs" / "dgx_h100_superpod.aif").read_text(encoding="utf-8")
    assert len(_chunks(text)) >= 3
    parser = ChunkedParser()
    same(text, parser)
    # An edit that changes a value, one that adds lines before later chunks, one that
    # breaks the syntax (the whole text is parsed then, errors and all) and back.
    edited = text.replace("pue", "pue ", 1)
    same(edited, parser)
    first_blank = text.index("\n\n")
    longer = text[:first_blank] + "\n\n# a note\n# on two lines" + text[first_blank:]
    same(longer, parser)
    same(text.replace("{", "{ @", 1), parser)
    same(text, parser)


def test_a_chunk_keeps_its_documentation_comment() -> None:
    text = "# the tray\nnode t extends GB200_tray {}\n\n# the rack\nrack r extends GB200_NVL72 {}\n"
    parser = ChunkedParser()
    same(text, parser)
    module = parser(text, "x.aif").module
    docs = [getattr(e, "doc", None) for e in module.entries]
    assert docs == ["the tray", "the rack"]
