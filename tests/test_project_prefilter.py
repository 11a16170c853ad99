"""The pre-filter that spares parsing a pyproject.toml without [tool.aifc] on every run.

It may say "maybe" for a file without the table (the parser then decides), never "no" for a
file with it: every way TOML can spell the key path tool.aifc is checked against tomllib.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiflang.project import _has_tool_table, may_hold_tool_table

WITH_TABLE = [
    '[tool.aifc]\nfail_on = "warning"\n',
    "[ tool . aifc ]\nx = 1\n",
    '["tool"."aifc"]\nx = 1\n',
    "['tool'.'aifc']\nx = 1\n",
    '[tool."aifc".codes]\nx = 1\n',
    "[tool]\naifc = { x = 1 }\n",
    "[tool]\naifc.x = 1\n",
    "tool.aifc.x = 1\n",
    "tool = { aifc = { x = 1 } }\n",
    '"tool".aifc = { x = 1 }\n',
    "[[tool.aifc.rules]]\nx = 1\n",
    '["\\u0074ool".aifc]\nx = 1\n',
    '[project]\nname = "aifc"\n\n[tool.ruff]\nline-length = 100\n\n[tool.aifc]\nx = 1\n',
]

WITHOUT_TABLE = [
    '[project]\nname = "aifc"\nscripts = { aifc = "aiflang.cli:main" }\n\n[tool.ruff]\nx = 1\n',
    '[tool.mypy]\nstrict = true\n[tool.pytest.ini_options]\naddopts = "-q"\n',
    '[build-system]\nrequires = ["setuptools"]\n',
    "",
]


@pytest.mark.parametrize("text", WITH_TABLE)
def test_every_spelling_of_the_table_is_let_through(text: str) -> None:
    data = tomllib.loads(text)
    assert "aifc" in data["tool"]  # the case really defines the table
    assert may_hold_tool_table(text)


@pytest.mark.parametrize("text", WITHOUT_TABLE)
def test_files_without_the_table_are_not_parsed(text: str) -> None:
    assert "aifc" not in tomllib.loads(text).get("tool", {})
    assert not may_hold_tool_table(text)


def test_the_answer_is_the_parsers(tmp_path: Path) -> None:
    for number, text in enumerate(WITH_TABLE + WITHOUT_TABLE):
        path = tmp_path / f"{number}.toml"
        path.write_text(text, encoding="utf-8")
        assert _has_tool_table(path, 0) == (text in WITH_TABLE), text


_KEYS = st.sampled_from(["tool", '"tool"', "'tool'", " tool ", "aifc", '"aifc"', "ruff", "x"])


@given(st.lists(st.tuples(st.booleans(), st.lists(_KEYS, min_size=1, max_size=3)), max_size=5))
def test_the_filter_never_hides_a_table_the_parser_sees(
    lines: list[tuple[bool, list[str]]],
) -> None:
    text = ""
    for header, keys in lines:
        path = ".".join(keys)
        text += f"[{path}]\n" if header else f"{path} = 1\n"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    tool = data.get("tool")
    if isinstance(tool, dict) and "aifc" in tool:
        assert may_hold_tool_table(text)
