"""docs/catalog.md stays true to the catalog: its spot-check table and its rack sums."""

from __future__ import annotations

import re
from pathlib import Path

from aiflang.render.catalog_query import catalog_entries

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


def _table(heading: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_spot_check_table_matches_the_catalog() -> None:
    entries = {e.name: e for e in catalog_entries()}
    rows = _table("## Figures spot-checked against their sources")
    assert len(rows) >= 30
    kinds = set()
    for name, attribute, value, quoted, source in rows:
        entry = entries[name]
        kinds.add(entry.kind)
        assert entry.values[attribute].text == value, (name, attribute)
        assert quoted and source, name
    # Every kind of part the catalog covers is spot-checked at least once.
    assert kinds >= {
        "gpu",
        "nic",
        "switch",
        "transceiver",
        "node",
        "rack",
        "ups",
        "generator",
        "cdu",
        "busway",
        "battery",
        "power_shelf",
        "appliance",
    }


def test_rack_sums_in_the_docs_are_the_catalog_sums() -> None:
    rows = {row[0]: row for row in _table("## Racks from their parts")}
    gb200 = rows["GB200_NVL72"]
    assert gb200[3] == f"{(18 * 6667 + 9 * 400) / 0.975 / 1e3:.1f} kW"
    gb300 = rows["GB300_NVL72"]
    assert gb300[3] == f"{(18 * 6600 + 9 * 400) / 0.975 / 1e3:.1f} kW"
    share = re.sub(r"%$", "", gb200[5])
    assert float(share) == round((18 * 6667 + 9 * 400) / 0.975 / 132e3 * 100, 1)
