"""The formatter: canonical layout, same model, idempotent, comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflang.syntax.formatter import FormatError, format_source
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for p in [
        *ROOT.joinpath("reference_designs").rglob("*.aif"),
        *ROOT.joinpath("tests", "cases").rglob("*.aif"),
        *ROOT.joinpath("compiler", "aiflang", "catalog").glob("*.aif"),
        ROOT / "dsl" / "starter.aif",
    ]
)

MESSY = """\
# header comment

node   n{gpus=8 x H100
power = 10.2 kW   # trailing
  nics=[8 x CX7 for compute,
        2 x BF3 for frontend]
}
factory "f" { site { pue = 1.2, utility = 40 MW }
  # before the hall
  hall A { it_power = 3 MW; positions = 40 }


  require capacity.gpus>=8
}
"""

EXPECTED = """\
# header comment

node n {
  gpus  = 8 x H100
  power = 10.2 kW  # trailing
  nics  = [8 x CX7 for compute, 2 x BF3 for frontend]
}

factory "f" {
  site {
    pue     = 1.2
    utility = 40 MW
  }

  # before the hall
  hall A {
    it_power  = 3 MW
    positions = 40
  }

  require capacity.gpus >= 8
}
"""


def test_canonical_layout() -> None:
    assert format_source(MESSY) == EXPECTED


def test_syntax_errors_are_refused() -> None:
    with pytest.raises(FormatError):
        format_source("node n {\n  power =\n}\n")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_model_idempotent_and_comments_kept(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    original = parse_source(text, str(path))
    if not original.ok:
        pytest.skip("case file with deliberate syntax errors")
    formatted = format_source(text, str(path))
    again = parse_source(formatted, str(path))
    assert again.ok
    assert again.module.entries == original.module.entries
    assert format_source(formatted, str(path)) == formatted
    assert sorted(c.text.strip() for c in again.module.comments) == sorted(
        c.text.strip() for c in original.module.comments
    )


_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: (
        s
        not in {
            "x",
            "for",
            "extends",
            "require",
            "import",
            "thousand",
            "million",
            "billion",
            "trillion",
        }
    )
)
_quantities = st.builds(
    lambda n, u: f"{n} {u}".strip(),
    st.integers(min_value=1, max_value=10_000),
    st.sampled_from(["", "kW", "MW", "GB", "TB/s", "USD/GPU/year", "%"]),
).map(lambda s: s.replace(" %", "%"))
_values = st.one_of(
    _quantities,
    st.builds(lambda n, name: f"{n} x {name}", st.integers(1, 99), _names),
    st.builds(
        lambda a, b: f"[{a} x CX7 for compute, {b} x BF3 for frontend]",
        st.integers(1, 9),
        st.integers(1, 9),
    ),
    st.sampled_from(
        [
            "N+1",
            "2N",
            "3/2",
            "1:1",
            "3:1",
            '"label"',
            "liquid 85%",
            "nvlink { domain = 72 }",
            "{ liquid = 2 MW, air = 1 MW }",
        ]
    ),
)
_attributes = st.lists(
    st.tuples(_names, _values), min_size=1, max_size=6, unique_by=lambda pair: pair[0]
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["node", "rack", "gpu"]), _names, _attributes, st.booleans()),
        min_size=1,
        max_size=4,
    )
)
def test_generated_designs_round_trip(
    blocks: list[tuple[str, str, list[tuple[str, str]], bool]],
) -> None:
    parts = []
    for kind, name, attributes, one_line in blocks:
        separator = ", " if one_line else "\n  "
        body = separator.join(f"{key} = {value}" for key, value in attributes)
        parts.append(f"# doc of {name}\n{kind} {name} {{ {body} }}\n")
    text = "\n".join(parts)
    original = parse_source(text, "g")
    assert original.ok, [d.message for d in original.diagnostics]
    formatted = format_source(text)
    assert parse_source(formatted, "g").module.entries == original.module.entries
    assert format_source(formatted) == formatted


def test_a_comment_after_a_closing_bracket_is_kept_on_that_line() -> None:
    text = "node n {\n  nics = [  # first\n    1 x CX7 for compute,\n  ]  # second\n}\n"
    assert format_source(text) == text


def test_per_item_comments_keep_the_list_on_several_lines() -> None:
    text = """\
factory "f" {
  hall A {
    racks = [
      # the big room
      10 x r,   # ten of r
      5 x s  # five of s
      # more later
    ]
    it_power = 3 MW
  }
}
"""
    assert (
        format_source(text)
        == """\
factory "f" {
  hall A {
    racks    = [
      # the big room
      10 x r,  # ten of r
      5 x s,  # five of s
      # more later
    ]
    it_power = 3 MW
  }
}
"""
    )


def test_comments_inside_maps_and_tagged_maps_stay_beside_their_entries() -> None:
    text = """\
rack r {
  scale_up = nvlink {  # one domain per rack
    domain = 72  # GPUs
  }
  cooling  = {
    liquid = 2 MW  # direct to chip
    # the rest
    air    = 1 MW
  }  # per hall
}
"""
    assert format_source(text) == text


def test_a_long_list_keeps_its_trailing_comment_on_the_closing_line() -> None:
    items = ", ".join(f"{n} x part_with_a_long_name_{n} for compute" for n in range(1, 4))
    text = f"node n {{\n  nics = [{items}]  # after\n}}\n"
    formatted = format_source(text)
    assert formatted.splitlines()[-2] == "  ]  # after"
    assert format_source(formatted) == formatted


# Generated designs with a comment in every position the grammar allows: the
# file head, before and after blocks, on a block's opening line, before and
# after attributes, after `[` and `{`, before, after and between list and map
# entries, before `]`, `}` and after them.
_comment = st.from_regex(r"#[ -~]{0,12}", fullmatch=True).map(str.rstrip)
_maybe = st.one_of(st.none(), _comment)


def _trail(comment: str | None) -> str:
    return f"  {comment}" if comment else ""


def _own(comment: str | None, indent: str) -> str:
    return f"{indent}{comment}\n" if comment else ""


@st.composite
def _commented_lists(draw: st.DrawFn, indent: str) -> str:
    items = draw(
        st.lists(st.tuples(st.integers(1, 99), _names, _maybe, _maybe), min_size=1, max_size=4)
    )
    inner = indent + "  "
    text = "[" + _trail(draw(_maybe)) + "\n"
    for count, name, before, after in items:
        text += _own(before, inner) + f"{inner}{count} x {name},{_trail(after)}\n"
    return text + _own(draw(_maybe), inner) + f"{indent}]"


@st.composite
def _commented_maps(draw: st.DrawFn, indent: str) -> str:
    entries = draw(
        st.lists(
            st.tuples(_names, st.integers(1, 999), _maybe, _maybe),
            min_size=1,
            max_size=3,
            unique_by=lambda e: e[0],
        )
    )
    inner = indent + "  "
    tag = draw(st.sampled_from(["", "nvlink "]))
    text = tag + "{" + _trail(draw(_maybe)) + "\n"
    for name, number, before, after in entries:
        text += _own(before, inner) + f"{inner}{name} = {number} kW{_trail(after)}\n"
    return text + _own(draw(_maybe), inner) + f"{indent}}}"


@st.composite
def _commented_designs(draw: st.DrawFn) -> str:
    text = _own(draw(_maybe), "")
    for block in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["node", "rack", "gpu"]))
        text += _own(draw(_maybe), "") + f"{kind} b{block} {{" + _trail(draw(_maybe)) + "\n"
        names = draw(st.lists(_names, min_size=1, max_size=4, unique=True))
        for name in names:
            value = draw(
                st.one_of(
                    _quantities,
                    _commented_lists("  "),
                    _commented_maps("  "),
                    st.just("[1 x CX7 for compute]"),
                )
            )
            text += _own(draw(_maybe), "  ") + f"  {name} = {value}{_trail(draw(_maybe))}\n"
        text += _own(draw(_maybe), "  ") + "}" + _trail(draw(_maybe)) + "\n\n"
    return text + _own(draw(_maybe), "")


def _comments(text: str) -> list[str]:
    return sorted(c.text for c in parse_source(text, "g").module.comments)


@settings(max_examples=150, deadline=None)
@given(_commented_designs())
def test_no_comment_is_ever_lost(text: str) -> None:
    original = parse_source(text, "g")
    assert original.ok, [d.message for d in original.diagnostics]
    formatted = format_source(text)
    assert _comments(formatted) == _comments(text)
    assert parse_source(formatted, "g").module.entries == original.module.entries
    assert format_source(formatted) == formatted
