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
    import aiflang.models.power
    import aiflang.models.serving
    import aiflang.models.training  # noqa: F401

    for name, assumption in REGISTRY.items():
        assert len(assumption.source) > 10, name
        assert assumption.description, name


# Files of ours that users do not have: shipped text cites what they cite instead.
UNSHIPPED = re.compile(r"FACTS(\.md)?\b|DESIGN\.md|TECH-NOTES|MODEL-NOTES|the seed's|\(the seed\)")
SHIPPED = [
    *sorted((ROOT / "compiler").rglob("*.py")),
    *sorted((ROOT / "compiler").rglob("*.aif")),
    *sorted((ROOT / "templates").glob("*.html")),
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "dsl").glob("*")),
    *sorted((ROOT / "reference_designs").glob("*.aif")),
    ROOT / "benchmarks" / "README.md",
    ROOT / "README.md",
]


def test_shipped_text_cites_no_file_users_do_not_have() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SHIPPED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UNSHIPPED.search(line)
    ]
    assert found == []


def test_assumption_sources_cite_no_file_users_do_not_have() -> None:
    from aiflang.driver import pipeline

    pipeline()  # imports every analysis, so every assumption is registered
    assert [name for name, a in REGISTRY.items() if UNSHIPPED.search(a.source)] == []


def test_models_page_lists_every_serving_validation_row() -> None:
    import json

    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    data = json.loads((ROOT / "tests" / "data" / "serving_validation.json").read_text())
    for row in data["rows"]:
        assert f"[{row['id']}]({row['source_url']})" in text, row["id"]
