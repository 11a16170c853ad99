"""The bill of materials: equal to capex, per hall, in every format, for every reference design.

The XLSX workbook is read back with openpyxl and its formulas evaluated by
the small evaluator below (products, references, SUM over a column, other
sheets), so the live totals are checked, not just the cached numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import build_reports, compile_file, compile_source
from aiflang.render.bom import render_bom
from aiflang.render.bom_xlsx import render_xlsx
from aiflang.report import Report

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted(p.stem for p in (ROOT / "reference_designs").glob("*.aif"))


@cache
def report(name: str) -> Report:
    (built,) = build_reports(compile_file(ROOT / "reference_designs" / f"{name}.aif"))
    return built


# Formula evaluation --------------------------------------------------------------

_REF = re.compile(r"^(?:'((?:[^']|'')+)'!)?([A-Z]+)(\d+)$")
_SUM = re.compile(r"^SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")
_PRODUCT = re.compile(r"^([A-Z]+\d+)\*([A-Z]+\d+)$")


def evaluate(book: Any, sheet: str, cell: str) -> float | str | None:
    value = book[sheet][cell].value
    if not isinstance(value, str) or not value.startswith("="):
        return value  # type: ignore[no-any-return]
    formula = value[1:]
    if match := _SUM.match(formula):
        column, first, _, last = match.groups()
        total = 0.0
        for row in range(int(first), int(last) + 1):
            item = evaluate(book, sheet, f"{column}{row}")
            total += item if isinstance(item, int | float) else 0.0
        return total
    if match := _PRODUCT.match(formula):
        left, right = (evaluate(book, sheet, ref) for ref in match.groups())
        assert isinstance(left, int | float) and isinstance(right, int | float), formula
        return left * right
    if match := _REF.match(formula):
        other, column, row = match.groups()
        return evaluate(book, other.replace("''", "'") if other else sheet, f"{column}{row}")
    raise AssertionError(f"unexpected formula {value!r}")


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def grand_total(book: Any) -> tuple[float, float]:
    totals = book["Totals"]
    row = next(r for r in range(1, totals.max_row + 1) if totals[f"A{r}"].value == "Total")
    capex, power = evaluate(book, "Totals", f"B{row}"), evaluate(book, "Totals", f"C{row}")
    assert isinstance(capex, float) and isinstance(power, float)
    return capex, power


# Every reference design ---------------------------------------------------------


@pytest.mark.parametrize("name", DESIGNS)
def test_bom_total_equals_capex_to_the_dollar(name: str) -> None:
    r = report(name)
    assert r.bom is not None and r.cost is not None
    capex = r.cost.capex_usd["total"]
    assert round(r.bom.capex_usd) == round(capex)
    lines = [line.extended_price_usd or 0.0 for line in r.bom.lines if line.in_capex]
    assert round(sum(lines)) == round(capex)
    assert round(sum(r.bom.capex_by_hall_usd.values())) == round(capex)
    # The facility lines are the facility category, hall by hall.
    facility = sum(line.extended_price_usd or 0 for line in r.bom.lines if line.kind == "facility")
    assert round(facility) == round(r.cost.capex_usd["facility"])


@pytest.mark.parametrize("name", DESIGNS)
def test_csv_reimports_to_the_same_lines(name: str) -> None:
    r = report(name)
    assert r.bom is not None
    rows = list(csv.DictReader(io.StringIO(render_bom(r, "csv"))))
    assert len(rows) == len(r.bom.lines)
    for row, line in zip(rows, r.bom.lines, strict=True):
        assert (row["hall"], row["kind"], row["name"]) == (line.hall, line.kind, line.name)
        assert float(row["count"]) == line.count
        if line.unit_price_usd is None:
            assert row["unit_price_usd"] == ""  # never a zero
        else:
            assert float(row["unit_price_usd"]) == line.unit_price_usd
        assert row["price_status"] == line.price_status
    capex = sum(float(row["extended_price_usd"]) for row in rows if row["in_capex"] == "yes")
    assert r.cost is not None and round(capex) == round(r.cost.capex_usd["total"])


@pytest.mark.parametrize("name", DESIGNS)
def test_json_bom_is_the_report_section(name: str) -> None:
    r = report(name)
    data = json.loads(render_bom(r, "json"))
    assert data["factory"] == r.factory and data["format_version"] == r.format_version
    assert r.bom is not None and data["lines"] == r.bom.model_dump(mode="json")["lines"]
    assert r.provenance is not None
    assert data["provenance"]["catalog_sha256"] == r.provenance.catalog_sha256


@pytest.mark.parametrize("name", DESIGNS)
def test_xlsx_reads_back_with_live_totals(name: str) -> None:
    r = report(name)
    assert r.bom is not None and r.cost is not None
    data = render_xlsx(r)
    assert data == render_xlsx(r)  # deterministic: no timestamps
    book = workbook(data)
    halls = [h for h in r.bom.halls if any(line.hall == h for line in r.bom.lines)]
    assert book.sheetnames[: len(halls)] == halls and book.sheetnames[-1] == "Totals"
    capex, power = grand_total(book)
    assert round(capex) == round(r.cost.capex_usd["total"])
    assert power == pytest.approx(r.bom.power_w)
    rows = sum(book[s].max_row - 2 for s in book.sheetnames[:-1])  # less header and total
    assert rows == len(r.bom.lines)


@pytest.mark.parametrize("name", DESIGNS)
def test_markdown_lists_every_hall_and_marks_missing_prices(name: str) -> None:
    r = report(name)
    assert r.bom is not None
    md = render_bom(r, "md")
    for hall in {line.hall or "site" for line in r.bom.lines}:
        assert f"#### {hall}" in md
    if r.bom.unpriced:
        assert "**no price**" in md
    assert f"${r.bom.capex_usd:,.0f}".replace("$", "\\$") in md


# By hand --------------------------------------------------------------------------


def test_gb200_two_su_by_hand() -> None:
    """16 racks at $3.4 M, Q3400 at $120 k, SN5600 at $40 k, 800G SR8 optics at $1,000,
    3 MW at $17.5 M/MW: $111.54 M, the report's capex."""
    r = report("gb200_two_su")
    assert r.bom is not None
    lines = {(line.kind, line.name, line.tier): line for line in r.bom.lines}
    rack = lines[("rack", "GB200_NVL72", None)]
    assert (rack.count, rack.unit_price_usd, rack.extended_price_usd) == (16, 3.4e6, 54.4e6)
    assert rack.unit_power_w == 132e3 and rack.total_power_w == 16 * 132e3
    assert lines[("gpu", "GB200", None)].count == 16 * 72
    assert lines[("gpu", "GB200", None)].price_status == "included"
    leaf = lines[("switch", "Q3400", "leaf")]
    assert (leaf.count, leaf.fabric, leaf.extended_price_usd) == (8, "compute", 8 * 120e3)
    assert lines[("switch", "Q3400", "spine")].count == 4
    optics = lines[("transceiver", "OSFP_800G_SR8", None)]
    assert (optics.count, optics.extended_price_usd) == (2880, 2.88e6)
    facility = lines[("facility", "hall A build", None)]
    assert (facility.count, facility.unit, facility.extended_price_usd) == (3, "MW", 52.5e6)
    storage = lines[("storage", "fast", None)]
    assert storage.unit_price_usd is None and storage.price_status == "no price"
    ups = lines[("ups_module", "Galaxy_VXL_500", None)]  # named by its catalog model
    assert (ups.count, ups.price_status, ups.in_capex) == (7, "facility", False)
    assert ups.vendor == "Schneider Electric"
    expected = 54.4e6 + 12 * 120e3 + 8 * 40e3 + 2.88e6 + 52.5e6
    assert r.bom.capex_usd == pytest.approx(expected) == 111.54e6
    licence = lines[("licence", "software licence", None)]
    assert (licence.count, licence.unit_price_usd, licence.in_capex) == (1152, 4500, False)


UNPRICED_NODE = """\
node box {
  gpus  = 8 x H100
  cpus  = 2 x Xeon_8480C
  nics  = [8 x CX7 for compute]
  power = 10 kW
}
rack shelf {
  nodes = 2 x box
  power = 20 kW
}
factory "f" {
  site { pue = 1.2, utility = 1 MW, power_price = 0.08 USD/kWh, build_cost = 10 million USD/MW }
  hall A {
    it_power  = 100 kW
    positions = 4
    racks     = 3 x shelf
  }
}
"""


def test_an_unpriced_node_is_listed_without_a_price_and_bought_by_its_parts() -> None:
    compilation = compile_source(UNPRICED_NODE)
    (r,) = build_reports(compilation)
    assert r.bom is not None and r.cost is not None
    lines = {(line.kind, line.name): line for line in r.bom.lines}
    chassis = lines[("node", "box")]
    assert (chassis.count, chassis.unit_price_usd, chassis.price_status) == (6, None, "no price")
    gpu = lines[("gpu", "H100")]
    assert gpu.count == 48 and gpu.price_status == "priced" and gpu.parent == "node box"
    assert lines[("nic", "CX7")].count == 48
    assert "node box" in r.bom.unpriced
    assert round(r.bom.capex_usd) == round(r.cost.capex_usd["total"])
    text = render_bom(r, "text")
    box_line = next(line for line in text.splitlines() if line.startswith("A     node box"))
    assert "no price" in box_line and "$0" not in box_line


def test_editing_a_count_in_the_workbook_moves_the_totals() -> None:
    r = report("gb200_two_su")
    book = workbook(render_xlsx(r))
    before, _ = grand_total(book)
    sheet = book["A"]
    row = next(r for r in range(2, sheet.max_row) if sheet[f"B{r}"].value == "rack")
    sheet[f"I{row}"] = 17  # one more rack
    after, _ = grand_total(book)
    assert after - before == pytest.approx(3.4e6)


def test_cli_writes_each_format(tmp_path: Path) -> None:
    design = str(ROOT / "reference_designs" / "enterprise_h200_pod.aif")
    runner = CliRunner()
    for suffix in ("csv", "json", "md", "xlsx", "txt"):
        out = tmp_path / f"bom.{suffix}"
        result = runner.invoke(main, ["bom", design, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert workbook((tmp_path / "bom.xlsx").read_bytes())["Totals"]["A1"].value == "Hall"
    result = runner.invoke(main, ["bom", design, "--format", "xlsx"])
    assert result.exit_code == 2 and "-o FILE.xlsx" in result.output
    result = runner.invoke(main, ["bom", design, "-o", str(tmp_path / "bom.pdf")])
    assert result.exit_code == 2


def test_html_and_markdown_reports_carry_the_bom() -> None:
    from aiflang.render.html import render_html
    from aiflang.render.markdown import render_markdown

    r = report("gb200_two_su")
    html = render_html(r)
    section = html.split('<section id="bom">', 1)[1].split("</section>", 1)[0]
    assert '<td class="bad num">no price</td>' in section  # storage `fast` has no price
    assert "$111,540,000" in section and "<h3>A</h3>" in section
    assert '<a href="#bom">Bill of materials</a>' in html
    md = render_markdown(r)
    assert "### Bill of materials" in md and "<summary>Bill of materials: capex" in md
    assert "| storage fast |" in md and "**no price**" in md


def test_vendor_and_model_come_from_the_part_or_its_documentation() -> None:
    from types import SimpleNamespace

    from aiflang.analyses.bom import vendor_and_model

    def part(doc: str | None, vendor: str | None = None) -> object:
        return SimpleNamespace(doc=doc, vendor=vendor)

    assert vendor_and_model(part("NVIDIA ConnectX-7, single-port OSFP 400G.")) == (
        "NVIDIA",
        "ConnectX-7",
    )
    assert vendor_and_model(part("NVIDIA Quantum-X800 Q3400: XDR InfiniBand, 4U")) == (
        "NVIDIA",
        "Quantum-X800 Q3400",
    )
    # A part that declares its vendor keeps it; a doc without a known vendor names only a model.
    assert vendor_and_model(part("Q3400: a switch", vendor="NVIDIA")) == ("NVIDIA", "Q3400")
    assert vendor_and_model(part("GB200 NVL72 compute tray: 2 Grace")) == (
        None,
        "GB200 NVL72 compute tray",
    )
    assert vendor_and_model(part(None)) == (None, None)
    # A comma inside parentheses does not end the model (the catalog's EPYC 9654 and B200);
    # a sentence's full stop is not part of it (H100).
    assert vendor_and_model(part("AMD EPYC 9654 (Genoa, 96 cores): a common host")) == (
        "AMD",
        "EPYC 9654 (Genoa, 96 cores)",
    )
    assert vendor_and_model(part("NVIDIA B200 in an HGX B200 baseboard (air-cooled, 1000 W).")) == (
        "NVIDIA",
        "B200 in an HGX B200 baseboard (air-cooled, 1000 W)",
    )
    assert vendor_and_model(part("NVIDIA H100 SXM5 80GB (Hopper).")) == (
        "NVIDIA",
        "H100 SXM5 80GB (Hopper)",
    )
    assert vendor_and_model(part("Tray (one of two")) == (None, "Tray")  # left open: dropped


def test_the_optics_of_a_fabric_that_names_no_transceiver_are_listed_without_a_price() -> None:
    """gb200_two_su's frontend fabric names no transceiver: the cost estimate says its
    1,056 modules have no price, so the bill lists them as such rather than dropping them."""
    r = report("gb200_two_su")
    assert r.bom is not None and r.cost is not None
    frontend = next(fabric for fabric in r.fabrics if fabric.name == "frontend")
    assert frontend.transceiver is None and frontend.transceivers == 1056
    assert "fabric frontend: 1,056 transceivers (no transceiver named)" in r.cost.missing_prices
    optics = [
        line for line in r.bom.lines if line.kind == "transceiver" and line.fabric == "frontend"
    ]
    assert sum(line.count for line in optics) == 1056
    assert all(line.price_status == "no price" and not line.in_capex for line in optics)
    assert "transceiver (frontend)" in r.bom.unpriced
    assert r.bom.capex_usd == pytest.approx(111.54e6)  # nothing priced moved
