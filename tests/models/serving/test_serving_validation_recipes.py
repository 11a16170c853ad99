"""The validation rows that cite a TensorRT-LLM recipe run what the recipe's name says.

InferenceMAX's disaggregated runs name each point's recipe by its layout,
`ctx{P}_gen{D}_{tep|dep}{N}_batch{B}_eplb{S}_mtp{M}`: B sequences per
attention rank of the decode engine, M drafts of multi-token prediction.
A row that cites such a recipe for its drafts (`draft_source`) or its
engine settings (`engine_settings.source`) must carry the same figures, so
a row's inputs cannot drift from the configuration it was measured in.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))

import serving_validation as validation  # noqa: E402

_RECIPE = re.compile(r"_(?:tep|dep)(\d+)_batch(\d+)_eplb\d+_mtp(\d+)")


def _cited(row: dict[str, object]) -> list[tuple[int, int, int]]:
    """(ranks, batch per rank, drafts) of every recipe the row cites."""
    texts = [str(row.get("draft_source", ""))]
    settings = row.get("engine_settings")
    if isinstance(settings, dict):
        texts.append(str(settings.get("source", "")))
    return [
        (int(ranks), int(batch), int(drafts))
        for text in texts
        for ranks, batch, drafts in _RECIPE.findall(text)
    ]


ROWS = [row for row in validation.load()["rows"] if _cited(row)]  # type: ignore[union-attr]


def test_the_dynamo_rows_cite_their_recipes() -> None:
    # the GB300 Dynamo rows at 1,229 and 2,253 users, GB200 8K/1K at 180: curve and TTFT rows
    assert len(ROWS) >= 6


@pytest.mark.parametrize("row", ROWS, ids=[str(row["id"]) for row in ROWS])
def test_a_row_runs_the_drafts_and_batch_its_recipe_names(row: dict[str, object]) -> None:
    for ranks, batch, drafts in _cited(row):
        assert row["draft_tokens"] == drafts
        shape = row["shape"]
        assert isinstance(shape, dict)
        assert shape["dp"] * shape["tp"] == ranks
        settings = row.get("engine_settings")
        if isinstance(settings, dict) and "max_batch" in settings:
            assert settings["max_batch"] == batch
