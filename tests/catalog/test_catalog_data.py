"""The built-in catalog's data: sources, dates, rack power from parts, breakouts.

The catalog is read through the same resolver and component builder a
design uses, so every entry is checked as a designer would use it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiflang.diagnostics import Sink
from aiflang.frontend import design as dm
from aiflang.frontend.components import ComponentBuilder
from aiflang.frontend.resolve import Definition, resolve
from aiflang.models.assumptions import Assumptions
from aiflang.render.catalog_query import Entry, catalog_entries

DATE = re.compile(r"^(\d{4}(-\d{2})?|undated)$")

# Racks with no published power rating, and why; every other rack declares one.
UNRATED_RACKS = {
    "DGX_B300_rack": "NVIDIA gives only 'over 50 kW' per rack of four",
    "MI355X_128": "AMD publishes no rack power",
    "MI355X_96": "AMD publishes no rack power",
    "VR_NVL144": "announced; no power published",
    "Helios_MI455X": "announced; no power published",
    "Trn2_UltraServer": "AWS publishes no power",
    "Trn3_UltraServer": "AWS publishes no power",
}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ComponentBuilder, dict[str, Definition], Sink]:
    folder = tmp_path_factory.mktemp("catalog")
    empty = folder / "empty.aif"
    empty.write_text("", encoding="utf-8")
    sink = Sink()
    program = resolve(empty, sink)
    assert program.file_scope is not None
    catalog = program.file_scope.parent
    while catalog is not None and catalog.parent is not None:
        catalog = catalog.parent
    assert catalog is not None
    builder = ComponentBuilder(sink, catalog, Assumptions())
    for definition in catalog.symbols.values():
        builder.component(definition)
    return builder, catalog.symbols, sink


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return catalog_entries()


def test_every_entry_elaborates_without_a_finding(
    built: tuple[ComponentBuilder, dict[str, Definition], Sink],
) -> None:
    _, _, sink = built
    assert [f"{d.code} {d.message}" for d in sink.sorted()] == []


def test_every_entry_has_a_source_a_status_and_a_date(entries: list[Entry]) -> None:
    assert len(entries) >= 128  # 43 entries before the 2026 additions, 85 added
    for entry in entries:
        source = entry.text("source") or ""
        assert len(source) > 20, f"{entry.name}: no source"
        assert entry.text("status") in ("published", "secondary", "preliminary", "estimate"), (
            entry.name
        )
        assert DATE.match(entry.text("date") or ""), f"{entry.name}: date {entry.text('date')!r}"


def test_preliminary_and_secondary_entries_say_so_in_their_status(entries: list[Entry]) -> None:
    # An announced product must not pass for a shipping one.
    announced = {"Rubin", "MI455X", "VR_NVL144", "Helios_MI455X", "BF4", "CX9", "SN6810", "SN6800"}
    for entry in entries:
        if entry.name in announced:
            assert entry.text("status") == "preliminary", entry.name


def test_every_price_is_published_or_labelled(entries: list[Entry]) -> None:
    for entry in entries:
        price = entry.values.get("price")
        if price is None:
            continue
        note = (price.note or "") + (entry.text("price_source") or "")
        assert re.search(r"estimate|list|published|reseller", note), (
            f"{entry.name}: price {price.text} has no source or estimate label"
        )


def test_unpublished_power_is_left_out_not_invented(entries: list[Entry]) -> None:
    by_name = {e.name: e for e in entries}
    for name in (
        "TPU_v5p",
        "TPU_v6e",
        "TPU7x",
        "TPU_v5e",
        "Trainium2",
        "Trainium3",
        "Rubin",
        "MI455X",
    ):
        assert "tdp" not in by_name[name].values, name
        assert re.search(r"not (published|announced)", by_name[name].text("source") or ""), name


def _rack(built: tuple[ComponentBuilder, dict[str, Definition], Sink], name: str) -> dm.Rack:
    rack = built[0].rack(name)
    assert rack is not None
    return rack


def test_every_rated_rack_is_within_10_percent_of_its_parts(
    built: tuple[ComponentBuilder, dict[str, Definition], Sink],
) -> None:
    _, symbols, _ = built
    racks = [name for name, d in symbols.items() if d.kind == "rack"]
    unrated = set()
    for name in racks:
        power = _rack(built, name).power
        if power.declared_w is None:
            unrated.add(name)
            continue
        assert power.derived_w is not None, name
        # Parts may not exceed the rating (that is E401), and must explain 90% of it.
        assert 0.9 * power.declared_w <= power.derived_w <= power.declared_w, (
            f"{name}: parts {power.derived_w:.0f} W against a rating of {power.declared_w:.0f} W"
        )
    assert unrated == set(UNRATED_RACKS)


def test_nvl72_racks_are_built_from_trays_switch_trays_and_power_shelves(
    built: tuple[ComponentBuilder, dict[str, Definition], Sink],
) -> None:
    gb200 = _rack(built, "GB200_NVL72")
    assert [(p.name, p.count) for p in gb200.switches] == [("NVLink5_Switch_Tray", 9)]
    assert [(p.name, p.count) for p in gb200.power_shelves] == [("ORv3_Shelf_33kW", 8)]
    assert gb200.shelf_output_w == pytest.approx(132e3)  # 8 x 33 kW at 2N
    # Hand calculation: (18 x 6667 W + 9 x 400 W) / 97.5% shelf efficiency.
    assert gb200.power.derived_w == pytest.approx((18 * 6667 + 9 * 400) / 0.975)
    assert gb200.power.derived_w / 132e3 == pytest.approx(0.960, abs=1e-3)
    gb300 = _rack(built, "GB300_NVL72")
    assert gb300.power.derived_w == pytest.approx((18 * 6600 + 9 * 400) / 0.975)


def test_racks_without_published_parts_power_have_none(
    built: tuple[ComponentBuilder, dict[str, Definition], Sink],
) -> None:
    for name in ("VR_NVL144", "Helios_MI455X", "Trn2_UltraServer", "Trn3_UltraServer"):
        assert not _rack(built, name).power.known, name
    # Derived from estimated platforms where the GPUs' power is published.
    assert _rack(built, "MI355X_128").power.derived_w == pytest.approx(16 * 14e3)


def test_every_breakout_gives_whole_port_counts(
    built: tuple[ComponentBuilder, dict[str, Definition], Sink], entries: list[Entry]
) -> None:
    splits = re.compile(r"(\d+) x (\d+(?:\.\d+)?) Gbps")
    checked = 0
    for entry in entries:
        if entry.kind != "switch" or "breakout" not in entry.values:
            continue
        switch = built[0].switch(entry.name)
        assert switch is not None
        listed = splits.findall(entry.values["breakout"].text)
        assert listed, entry.name
        for ways_text, lane_text in listed:
            ways, lane_bps = int(ways_text), float(lane_text) * 1e9
            assert ways * lane_bps == pytest.approx(switch.port_speed_bps), entry.name
            logical = switch.ports * ways
            assert logical == int(logical) and logical >= switch.ports
            assert switch.breakout_ways % ways == 0, entry.name  # the model's rule holds
        checked += 1
    assert checked >= 12
    sn5600 = built[0].switch("SN5600")
    assert sn5600 is not None and sn5600.breakout_options == [2, 4]
    assert (sn5600.ports * 2, sn5600.ports * 4) == (128, 256)  # 128 x 400G, 256 x 200G


def test_every_plant_item_has_its_rating(entries: list[Entry]) -> None:
    required = {
        "ups": "rating",
        "cdu": "capacity",
        "chiller": "capacity",
        "generator": "rating",
        "battery": "energy",
        "busway": "rating",
        "power_shelf": "output",
        "appliance": "capacity",
    }
    kinds: dict[str, int] = {}
    for entry in entries:
        if entry.kind in required:
            assert entry.values[required[entry.kind]].si, entry.name
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    assert kinds == {
        "ups": 8,
        "cdu": 9,
        "chiller": 3,
        "generator": 5,
        "battery": 1,
        "busway": 4,
        "power_shelf": 1,
        "appliance": 2,
    }


def test_catalog_files_are_the_documented_ones() -> None:
    folder = Path(__file__).resolve().parents[2] / "compiler" / "aiflang" / "catalog"
    docs = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text()
    for path in folder.glob("*.aif"):
        assert f"`{path.name}`" in docs, path.name


def test_validating_the_catalog_files_is_clean() -> None:
    # Each file read as a library: every definition elaborated, none an override of itself.
    from aiflang.driver import compile_file

    folder = Path(__file__).resolve().parents[2] / "compiler" / "aiflang" / "catalog"
    for path in sorted(folder.glob("*.aif")):
        compilation = compile_file(path)
        assert [f"{d.code} {d.message}" for d in compilation.diagnostics] == [], path.name
        assert compilation.program.overrides == [], path.name
