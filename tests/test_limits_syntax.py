"""The limits on what one file may hold (docs/limits.md): at each, accepted; past it, E108.

Limits whose real value takes seconds to reach (tokens and blocks per file)
are tested at a lowered value through the same code path; the documentation
test in test_limits.py checks the real values.
"""

from __future__ import annotations

import pytest

from aiflang import units
from aiflang.diagnostics import Diagnostic
from aiflang.syntax import build, parser
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import (
    MAX_LINE_TOKENS,
    MAX_NUMBER_DIGITS,
    MAX_PATH_SEGMENTS,
    MAX_VALUE_ITEMS,
    parse_source,
)


def limits(text: str) -> list[Diagnostic]:
    return [d for d in parse_source(text, "t.aif").diagnostics if d.code == "E108"]


def list_line(tokens: int) -> str:
    """`x = [1, 1, ..., 1,]`: exactly `tokens` tokens (x, =, [, k numbers, k commas, ])."""
    items = (tokens - 4) // 2
    assert 4 + 2 * items == tokens
    return "x = [" + "1," * items + "]\n"


def test_a_line_at_the_token_limit_is_read() -> None:
    assert not limits(list_line(MAX_LINE_TOKENS))


def test_a_line_past_the_token_limit_is_cut_with_e108() -> None:
    (found,) = limits(list_line(MAX_LINE_TOKENS + 2) + "y = 2\n")
    assert found.message == (
        f"line 1 holds more than {MAX_LINE_TOKENS:,} tokens; the rest of the line is not read"
    )
    # The next line is read as usual.
    module = parse_source(list_line(MAX_LINE_TOKENS + 2) + "y = 2\n", "t.aif").module
    assert [e.name for e in module.entries if isinstance(e, ast.Attribute)] == ["y"]


def test_a_million_tokens_on_one_line_cost_one_diagnostic() -> None:
    result = parse_source('factory "f" {\n  require capacity' + ".a" * 500_000 + " >= 1\n}\n", "t")
    assert [d.code for d in result.diagnostics] == ["E108"]


def test_the_file_token_limit_stops_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "MAX_FILE_TOKENS", 100)
    text = "".join(f"node n{i} {{ power = 1 kW }}\n" for i in range(50))  # 8 tokens a line
    result = parse_source(text, "t.aif")
    (found,) = [d for d in result.diagnostics if d.code == "E108"]
    assert found.message == (
        "the file holds more than 100 tokens; the rest of the file (from line 13) is not read"
    )
    # The blocks completed before the limit are kept.
    assert [e.name for e in result.module.entries if isinstance(e, ast.Block)] == [
        f"n{i}" for i in range(12)
    ]


def test_a_file_at_the_token_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "MAX_FILE_TOKENS", 100)
    text = "".join(f"node n{i} {{ power = 1 kW }}\n" for i in range(12)) + "y = 1 kW\n"
    assert parse_source(text, "t.aif").ok  # 12 x 8 + 4 tokens


def test_the_block_limit_stops_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "MAX_BLOCKS", 5)
    text = "".join(f"gpu g{i} {{}}\n" for i in range(20))
    result = parse_source(text, "t.aif")
    (found,) = [d for d in result.diagnostics if d.code == "E108"]
    assert found.message == "the file holds more than 5 blocks; the rest of the file is not read"
    assert found.span is not None and found.span.line == 6
    assert len(result.module.entries) == 5


def test_a_file_at_the_block_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "MAX_BLOCKS", 5)
    assert parse_source("".join(f"gpu g{i} {{}}\n" for i in range(5)), "t.aif").ok


@pytest.mark.parametrize(
    ("value", "longest"),
    [
        ("9" * (MAX_NUMBER_DIGITS + 1), MAX_NUMBER_DIGITS + 1),
        ("1." + "5" * (MAX_NUMBER_DIGITS + 5), MAX_NUMBER_DIGITS + 5),
        ("9" * 100_000 + ":1", 100_000),
        ("N+" + "1" * 200, 200),
    ],
)
def test_numbers_past_the_digit_limit_are_e108(value: str, longest: int) -> None:
    (found,) = limits(f"node n {{\n  power = {value}\n}}\n")
    assert found.message == (
        f"a number of {longest:,} digits, over the limit of {MAX_NUMBER_DIGITS}"
    )
    assert found.span is not None and found.span.line == 2


def test_a_number_at_the_digit_limit_is_read() -> None:
    module = parse_source(f"node n {{\n  power = {'9' * MAX_NUMBER_DIGITS} kW\n}}\n", "t").module
    block = module.entries[0]
    assert isinstance(block, ast.Block)
    power = block.entries[0]
    assert isinstance(power, ast.Attribute) and isinstance(power.value, ast.Quantity)


def items(count: int) -> str:
    return "node n {\n  nics = [\n" + "    1 x CX7,\n" * count + "  ]\n}\n"


def test_a_list_past_the_item_limit_is_e108_and_not_read() -> None:
    result = parse_source(items(MAX_VALUE_ITEMS + 1), "t.aif")
    (found,) = [d for d in result.diagnostics if d.code == "E108"]
    assert found.message == (
        f"{MAX_VALUE_ITEMS + 1:,} items in one list, over the limit of {MAX_VALUE_ITEMS:,}"
    )
    block = result.module.entries[0]
    assert isinstance(block, ast.Block)
    nics = block.entries[0]
    assert isinstance(nics, ast.Attribute) and isinstance(nics.value, ast.Invalid)


def test_a_list_at_the_item_limit_is_read() -> None:
    assert parse_source(items(MAX_VALUE_ITEMS), "t.aif").ok


def test_a_require_path_past_the_segment_limit_is_e108() -> None:
    path = ".".join(["a"] * (MAX_PATH_SEGMENTS + 1))
    (found,) = limits(f'factory "f" {{\n  require {path} >= 1\n}}\n')
    assert found.message == (
        f"a `require` path of {MAX_PATH_SEGMENTS + 1} names, over the limit of {MAX_PATH_SEGMENTS}"
    )
    assert not limits(f'factory "f" {{\n  require {".".join(["a"] * MAX_PATH_SEGMENTS)} >= 1\n}}\n')


def test_unit_terms_and_exponents_are_bounded() -> None:
    at_limit = "/".join(["kW"] * units.MAX_UNIT_TERMS)
    assert units.parse_unit(at_limit).dimension == units.POWER ** (2 - units.MAX_UNIT_TERMS)
    with pytest.raises(units.UnitSyntaxError, match=f"over the limit of {units.MAX_UNIT_TERMS}"):
        units.parse_unit(at_limit + "/kW")
    assert units.parse_unit(f"m^{units.MAX_UNIT_EXPONENT}").factor == 1
    with pytest.raises(units.UnitSyntaxError, match="exponents run from 1 to 9"):
        units.parse_unit(f"m^{units.MAX_UNIT_EXPONENT + 1}")
    # 100,000 digits: past what int() converts; refused before it is tried.
    with pytest.raises(units.UnitSyntaxError, match="exponents run from 1 to 9"):
        units.parse_unit("MW^" + "9" * 100_000)
