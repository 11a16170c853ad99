"""`aifc catalog`: formats, kinds, search, conditions and close names."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.render.catalog_query import QueryError, catalog_entries, parse_where, select


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["catalog", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_text_list_shows_figures_status_date_and_source_for_every_entry() -> None:
    code, out, _ = run()
    assert code == 0
    entries = catalog_entries()
    assert f"{len(entries)} entries." in out
    lines = out.splitlines()
    for entry in entries:
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"  {entry.name}: ")]
        status, date = entry.text("status"), entry.text("date")
        assert lines[at + 1].startswith(f"      {status}, {date}: "), entry.name


def test_kind_filter_and_text_headings() -> None:
    code, out, _ = run("--kind", "ups", "--kind", "cdu")
    assert code == 0
    assert "UPS modules:" in out and "Coolant distribution units:" in out
    assert "GPUs" not in out and "Galaxy_VXL_1250: rating 1250 kW, efficiency 97.5%" in out


def test_search_ignores_case_and_spaces() -> None:
    found = {e.name for e in select(catalog_entries(), search="800g")}
    assert {"SN5600", "CX8", "OSFP_800G_SR8", "DAC_800G_2m"} <= found
    assert "QM9700" not in found  # 64 x 400 Gbps, no 800G figure


def test_where_compares_quantities_by_dimension() -> None:
    entries = catalog_entries()
    cheap = select(entries, ("switch",), where=("power < 1 kW",))
    assert {e.name for e in cheap} == {
        "Arista_7060X6_64PE",
        "Edgecore_AIS800_64D",
        "NVLink5_Switch_Tray",
        "QM9700",
        "QM9790",
        "SN5400",
        "TH5_51T",
        "UfiSpace_S9321_64EO",
    }
    # 64 x 800 Gbps compares its per-port quantity; 1.6 Tbps is 1600 Gbps.
    fast = select(entries, ("switch",), where=("ports >= 1.6 Tbps",))
    assert [e.name for e in fast] == ["Arista_7060XE7_64PS"]
    both = select(entries, where=("vendor = nvidia and status = preliminary",))
    assert {"Rubin", "VR_NVL144", "CX9", "SN6810"} <= {e.name for e in both}
    efficient = select(entries, ("ups",), where=("efficiency >= 97%",))
    assert {e.name for e in efficient} == {"Galaxy_VXL_1250", "Galaxy_VXL_500", "Eaton_9395XR_1500"}


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("powr < 1 kW", "no catalog entry of those kinds has the attribute `powr`"),
        ("power < 1 kWh", "no catalog entry"),  # parses; simply matches nothing
        ("power is small", "cannot read the condition"),
        ("vendor < NVIDIA", "only quantities compare with <"),
        ("power < 1 furlong", "unknown unit"),
    ],
)
def test_bad_conditions_are_one_clear_line(condition: str, message: str) -> None:
    if message == "no catalog entry":
        assert select(catalog_entries(), where=(condition,)) == []
        return
    with pytest.raises(QueryError, match=message):
        parse_where(condition)
    code, _, err = run("--where", condition)
    assert code == 2 and err.count("\n") == 1 and message.split("`")[0] in err


def test_json_carries_every_attribute_in_si() -> None:
    code, out, _ = run("--format", "json", "--kind", "rack", "--search", "GB200_NVL72")
    assert code == 0
    document = json.loads(out)
    assert document["format_version"] == "1.0" and document["count"] == 1
    (rack,) = document["entries"]
    assert rack["status"] == "secondary" and rack["date"] == "2024-03"
    power = rack["attributes"]["power"]
    assert power == {
        "text": "132 kW",
        "value": 132000.0,
        "unit": "W",
        "note": power["note"],
    }
    assert "HPE" in power["note"]
    assert rack["attributes"]["power_shelves"]["text"] == "8 x ORv3_Shelf_33kW"


def test_csv_has_one_row_per_entry_and_provenance_columns() -> None:
    code, out, _ = run("--format", "csv", "--kind", "transceiver")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len([e for e in catalog_entries() if e.kind == "transceiver"])
    by_name = {row["name"]: row for row in rows}
    assert by_name["OSFP_800G_SR8"]["reach"] == "50 m"
    assert by_name["DAC_800G_2m"]["media"] == "dac"
    assert all(row["source"] and row["date"] and row["status"] for row in rows)


def test_one_entry_and_close_names() -> None:
    code, out, _ = run("GB200_tray")
    assert code == 0 and "power                6667 W" in out and "NVIDIA Datacenter Power" in out
    code, out, _ = run("gb200_tray", "--format", "json")
    assert code == 0 and json.loads(out)["name"] == "GB200_tray"
    code, _, err = run("Galaxy_VX")
    assert code == 2
    assert "did you mean `Galaxy_VX_1500` or `Galaxy_VX_1250` or `Galaxy_VX_1100`?" in err


def test_a_project_part_is_marked_and_replaces_the_built_in_one() -> None:
    from aiflang.syntax.parser import parse_source

    project = [
        parse_source(
            "gpu H100 extends H100 {\n  price = 28000 USD  # our contract\n}\n"
            "ups our_ups extends Galaxy_VXL_500 {\n  efficiency = 96%\n}\n",
            "parts/ours.aif",
        )
    ]
    entries = {e.name: e for e in catalog_entries(project)}
    assert len(entries) == len(catalog_entries()) + 1  # H100 replaced, our_ups added
    h100, ours = entries["H100"], entries["our_ups"]
    assert h100.project and ours.project and not entries["B200"].project
    # `gpu H100 extends H100` reaches the built-in H100 for what it leaves out.
    assert h100.values["price"].text == "28000 USD" and h100.values["price"].note == "our contract"
    assert h100.values["memory"].text == "80 GB" and h100.file == "parts/ours.aif"
    assert ours.values["rating"].si == 500e3 and ours.values["efficiency"].si == pytest.approx(0.96)
    assert select(list(entries.values()), kinds=("ups",), where=("efficiency < 97%",)) == [ours]


def test_the_kind_option_offers_every_component_kind_of_the_schema() -> None:
    from aiflang import cli
    from aiflang.syntax.schema import COMPONENT_KINDS

    assert cli._CATALOG_KINDS == COMPONENT_KINDS


def test_models_and_engines_are_listed_by_kind() -> None:
    result = CliRunner().invoke(main, ["catalog", "--kind", "engine", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {entry["name"] for entry in json.loads(result.output)["entries"]}
    assert names == {"trtllm", "vllm", "sglang"}
