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
