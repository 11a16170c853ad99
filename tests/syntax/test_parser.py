"""The parser: the syntax model, spans, documentation comments and hostile input."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from aiflang.syntax import tree as ast
from aiflang.syntax.parser import MAX_FILE_BYTES, decode_source, parse_source

EXAMPLE = """\
# Library comment, separated by a blank line.

# A compute tray.
# Four GPUs.
node tray {
  gpus  = 4 x GB200
  nics  = [4 x CX7 for compute, 2 x BF3 for frontend]
  power = 5.8 kW
}

factory "two su" {
  site { pue = 1.2, utility = 40 MW; power_price = 0.08 USD/kWh }
  hall A {
    ups        = 4 x 1 MW
    redundancy = N+1
    cooling    = { liquid = 2.6 MW, air = 0.6 MW }
  }
  fabric f { oversubscription = 3:1 }
  train "t" { params = 405 billion, tokens = 15.6 trillion, mfu = 40% }
  require serve."llama3-70b".tokens_per_s_per_mw >= 100 thousand tokens/s/MW "fast"
}
"""


def parse(text: str) -> ast.Module:
    result = parse_source(text, "t.aif")
    assert result.ok, [d.message for d in result.diagnostics]
    return result.module


def test_values_are_read_with_their_spelling_and_scale() -> None:
    module = parse(EXAMPLE)
    tray = module.entries[0]
    assert isinstance(tray, ast.Block) and tray.kind == "node" and tray.name == "tray"
    gpus, nics, power = tray.entries
    assert isinstance(gpus, ast.Attribute) and isinstance(gpus.value, ast.Multiplicity)
    assert gpus.value.count.value == 4 and gpus.value.item == ast.Ref("GB200")
    assert isinstance(nics, ast.Attribute) and isinstance(nics.value, ast.ListValue)
    assert [item.role for item in nics.value.items] == ["compute", "frontend"]
    assert isinstance(power, ast.Attribute) and isinstance(power.value, ast.Quantity)
    assert power.value.unit == "kW" and power.value.number.value == 5.8
    factory = module.entries[1]
    assert isinstance(factory, ast.Block) and factory.quoted_name and factory.name == "two su"
    site, hall, fabric, train, rule = factory.entries
    assert isinstance(site, ast.Block) and [e.name for e in site.entries] == [  # type: ignore[union-attr]
        "pue",
        "utility",
        "power_price",
    ]
    assert isinstance(hall, ast.Block)
    redundancy = hall.entries[1]
    assert isinstance(redundancy, ast.Attribute) and redundancy.value == ast.Redundancy("N+1")
    assert isinstance(fabric, ast.Block)
    ratio = fabric.entries[0]
    assert isinstance(ratio, ast.Attribute) and ratio.value == ast.Ratio(3.0, 1.0, "3:1")
    assert isinstance(train, ast.Block)
    params, tokens, mfu = train.entries
    assert isinstance(params, ast.Attribute) and isinstance(params.value, ast.Quantity)
    assert params.value.number.value == 405e9 and params.value.number.scale == "billion"
    assert isinstance(tokens, ast.Attribute) and isinstance(tokens.value, ast.Quantity)
    assert tokens.value.number.value == 15.6e12
    assert isinstance(mfu, ast.Attribute) and isinstance(mfu.value, ast.Quantity)
    assert mfu.value.unit == "%"
    assert isinstance(rule, ast.Require)
    assert [s.name for s in rule.path] == ["serve", "llama3-70b", "tokens_per_s_per_mw"]
    assert rule.path[1].quoted and rule.operator == ">=" and rule.message == "fast"
    assert isinstance(rule.value, ast.Quantity) and rule.value.unit == "tokens/s/MW"
    assert rule.value.number.value == 100e3


def test_a_unit_never_swallows_the_next_attribute() -> None:
    module = parse("train t {\n  params = 405 billion\n  tokens = 15 trillion\n}\n")
    block = module.entries[0]
    assert isinstance(block, ast.Block)
    assert [e.name for e in block.entries] == ["params", "tokens"]  # type: ignore[union-attr]


def test_spans_point_at_the_source() -> None:
    module = parse(EXAMPLE)
    tray = module.entries[0]
    assert isinstance(tray, ast.Block)
    assert (tray.name_span.line, tray.name_span.column) == (5, 6)
    power = tray.entries[2]
    assert isinstance(power, ast.Attribute)
    assert (power.span.line, power.span.column, power.span.end_line) == (8, 3, 8)
    assert EXAMPLE[power.span.offset : power.span.end_offset] == "power = 5.8 kW"


def test_comment_directly_above_a_definition_is_its_documentation() -> None:
    module = parse(EXAMPLE)
    tray, factory = module.entries
    assert isinstance(tray, ast.Block) and tray.doc == "A compute tray.\nFour GPUs."
    assert isinstance(factory, ast.Block) and factory.doc is None
    assert len(module.comments) == 3


def test_crlf_and_bom_are_accepted() -> None:
    text, problem = decode_source(b"\xef\xbb\xbfnode n {\r\n  gpus = 8 x H100\r\n}\r\n", "t")
    assert problem is None and text is not None
    module = parse(text)
    assert isinstance(module.entries[0], ast.Block)


def test_invalid_utf8_and_nul_bytes_are_diagnostics() -> None:
    text, problem = decode_source(b"node n {\n  gpus = \xff\n}", "t")
    assert text is None and problem is not None
    assert problem.code == "E101" and problem.span is not None and problem.span.line == 2
    text, problem = decode_source(b"node\x00", "t")
    assert text is None and problem is not None and problem.code == "E101"


def test_file_size_is_capped() -> None:
    text, problem = decode_source(b"#" * (MAX_FILE_BYTES + 1), "t")
    assert text is None and problem is not None and problem.code == "E108"
    assert f"{MAX_FILE_BYTES:,}" in problem.message


def test_deep_nesting_is_refused_with_the_limit() -> None:
    result = parse_source("a = " + "{ b = " * 5000 + "1" + " }" * 5000, "t")
    assert [d.code for d in result.diagnostics] == ["E108"]
    assert "64 levels" in result.diagnostics[0].message


def test_long_line_and_random_bytes_do_not_raise() -> None:
    assert parse_source("# " + "x" * 2_000_000 + "\nnode n {}\n", "t").ok
    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        text, _problem = decode_source(data, "t")
        if text is not None:
            parse_source(text, "t")


def test_several_syntax_errors_are_reported_once_per_line() -> None:
    text = "node n {\n  power =\n  gpus 8 x H100\n  height = 2 U\n  nics = [\n}\n"
    result = parse_source(text, "t")
    lines = [d.span.line for d in result.diagnostics if d.span]
    assert lines == sorted(set(lines)) and len(lines) >= 2
    assert all("__ANON" not in d.message and "__ANON" not in d.label for d in result.diagnostics)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_garbage_never_raises(text: str) -> None:
    result = parse_source(text, "t")
    for diagnostic in result.diagnostics:
        assert diagnostic.code.startswith("E1")
        assert "__ANON" not in diagnostic.message


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "node",
                "n",
                "{",
                "}",
                "=",
                "4",
                "x",
                "H100",
                "kW",
                "[",
                "]",
                ",",
                "\n",
                '"l"',
                "3:1",
                "N+1",
                "%",
                "for",
                "require",
                "a.b",
                ">=",
                "extends",
                "#c\n",
            ]
        ),
        max_size=60,
    )
)
def test_token_soup_never_raises(tokens: list[str]) -> None:
    parse_source(" ".join(tokens), "t")
