"""The documentation stays in step with the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

from aiflang.diagnostics.codes import CODES
from aiflang.models.assumptions import REGISTRY
from aiflang.syntax.schema import BLOCKS

ROOT = Path(__file__).resolve().parents[1]


def test_language_reference_lists_every_attribute() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for kind, spec in BLOCKS.items():
        assert f"### `{kind}`" in text, kind
        section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
        for name in spec.attrs:
            assert f"| `{name}` |" in section, f"{kind}.{name} missing from docs/language.md"


def test_every_code_has_an_explanation() -> None:
    for code, info in CODES.items():
        assert re.fullmatch(r"[EW]\d{3}", code)
        assert len(info.explanation) > 40, code


def test_every_assumption_has_a_source_and_a_unit() -> None:
    import aiflang.models.cost
    import aiflang.models.fabric
    import aiflang.models.inference
    import aiflang.models.power
    import aiflang.models.training  # noqa: F401

    for name, assumption in REGISTRY.items():
        assert len(assumption.source) > 10, name
        assert assumption.description, name
