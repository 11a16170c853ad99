"""The bill of materials (`aifc bom`) as a table, CSV, JSON, XLSX or Markdown.

Every format lists the report's `bom` lines hall by hall, then the totals.
A part without a price shows the words "no price" where its price would be
(CSV leaves the number empty and says "no price" in `price_status`), never
a zero. The JSON form is the report's `bom` section with the factory's name,
the report's `format_version` and its `provenance`. The XLSX workbook has a sheet per hall
(and one for what stands in no hall), each with extended prices as
formulas (count x unit price) and a capex total as a SUM, and a "Totals"
sheet whose figures refer to those cells, so the workbook stays live when a
count or a price is edited. Workbooks are deterministic: no creation time,
fixed times inside the zip.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from aiflang.diagnostics.characters import json_safe, neutralise
from aiflang.render import figures as fig
from aiflang.report import FORMAT_VERSION, BomLine, BomReport, Report

NO_PRICE = "no price"
NO_HALL = "site"  # the sheet and group of lines that stand in no hall
STATUS_TEXT = {
    "priced": "",
    "no price": NO_PRICE,
    "included": "included",
    "parts": "by its parts",
    "facility": "in facility build cost",
    "opex": "per year (opex)",
}

COLUMNS = [
    "hall",
    "category",
    "kind",
    "name",
    "vendor",
    "model",
    "fabric",
    "tier",
    "parent",
    "count",
    "unit",
    "unit_price_usd",
    "extended_price_usd",
    "price_status",
    "in_capex",
    "unit_power_w",
    "total_power_w",
]


def hall_label(hall: str) -> str:
    return hall or NO_HALL


def groups(bom: BomReport) -> list[tuple[str, list[BomLine]]]:
    """The lines by hall, in the design's hall order; lines in no hall last."""
    order = [*bom.halls, ""]
    found = {hall: [line for line in bom.lines if line.hall == hall] for hall in order}
    return [(hall, lines) for hall, lines in found.items() if lines]


def dollars(value: float) -> str:
    """Money to the dollar, as a parts list shows it ($1,234,567)."""
    return f"${value:,.0f}"


def price_text(line: BomLine, value: float | None) -> str:
    """A price cell: the money, or why there is none ("no price", "included", ...)."""
    if value is not None:
        return dollars(value)
    return STATUS_TEXT.get(line.price_status, line.price_status) or fig.MISSING


def count_text(line: BomLine) -> str:
    if line.unit == "MW":
        return f"{line.count:,.3f}".rstrip("0").rstrip(".") + " MW"
    if line.unit != "each":
        return f"{fig.count(line.count)} {line.unit}"
    return fig.count(line.count)


def part_text(line: BomLine) -> str:
    """What the line is, in words: kind, name, and where it sits."""
    text = f"{line.kind.replace('_', ' ')} {line.name}".rstrip()
    if line.fabric:
        text += f" ({line.fabric}{' ' + line.tier if line.tier else ''})"
    if line.parent:
        text += f", in {line.parent}"
    return text


def rows(bom: BomReport) -> list[list[str]]:
    """Display rows: hall, part, vendor, model, count, prices and power (unit, then total)."""
    out = []
    for hall, lines in groups(bom):
        for line in lines:
            out.append(
                [
                    hall_label(hall),
                    part_text(line),
                    line.vendor or "",
                    line.model or "",
                    count_text(line),
                    price_text(line, line.unit_price_usd),
                    price_text(line, line.extended_price_usd),
                    fig.optional(line.unit_power_w, fig.power),
                    fig.optional(line.total_power_w, fig.power),
                ]
            )
    return out


HEADERS = [
    "Hall",
    "Part",
    "Vendor",
    "Model",
    "Count",
    "Unit price",
    "Extended",
    "Unit power",
    "Total power",
]


def totals(bom: BomReport) -> list[tuple[str, str]]:
    """The closing figures: capex per hall and in total, yearly costs, power."""
    out = [(f"Capex, {hall_label(h)}", dollars(v)) for h, v in bom.capex_by_hall_usd.items()]
    out.append(("Capex, total", dollars(bom.capex_usd)))
    if bom.opex_usd_per_year:
        out.append(("Licences per year", dollars(bom.opex_usd_per_year)))
    out.append(("Power of the parts", fig.power(bom.power_w)))
    if bom.unpriced:
        out.append(("Without a price", ", ".join(bom.unpriced)))
    return out


def _text(report: Report, bom: BomReport) -> str:
    table = [[neutralise(c) for c in row] for row in [HEADERS, *rows(bom)]]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    right = {4, 5, 6, 7, 8}
    lines = [f"Bill of materials: {neutralise(fig.factory_title(report))}", ""]
    for index, row in enumerate(table):
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines += [f"{label}: {neutralise(value)}" for label, value in totals(bom)]
    return "\n".join(lines) + "\n"


def _csv(bom: BomReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in bom.lines:
        data = line.model_dump()
        writer.writerow([_csv_cell(data[column]) for column in COLUMNS])
    return neutralise(buffer.getvalue())


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    text = str(value)
    # A spreadsheet would run a cell starting with = + - @ as a formula: quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _json(report: Report, bom: BomReport) -> str:
    data = {
        "format_version": FORMAT_VERSION,
        "factory": report.factory,
        "file": report.file,
        **bom.model_dump(mode="json"),
        "provenance": report.provenance.model_dump(mode="json") if report.provenance else None,
    }
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def _markdown(report: Report, bom: BomReport) -> str:
    from aiflang.render.markdown_text import escape

    lines = [f"## Bill of materials: {escape(fig.factory_title(report))}", ""]
    lines += markdown_table(bom)
    return "\n".join(lines) + "\n"


def markdown_table(bom: BomReport) -> list[str]:
    """The BOM as Markdown lines: one table per hall, then the totals (also in the report)."""
    from aiflang.render.markdown_text import escape, figure_text

    out: list[str] = []
    for hall, _ in groups(bom):
        out += [f"#### {escape(hall_label(hall))}", ""]
        out.append("| " + " | ".join(HEADERS[1:]) + " |")
        out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for row in rows(bom):
            if row[0] != hall_label(hall):
                continue
            cells = [escape(c) for c in row[1:4]] + [figure_text(c) for c in row[4:]]
            cells = [f"**{c}**" if c == NO_PRICE else c for c in cells]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out += [f"- **{escape(label)}**: {escape(value)}" for label, value in totals(bom)]
    out.append("")
    return out


def render_bom(report: Report, fmt: str) -> str:
    """The report's BOM as "text", "csv", "json" or "md" (XLSX: `render.bom_xlsx`)."""
    bom = report.bom
    if bom is None:
        raise ValueError("the report has no bill of materials")
    if fmt == "text":
        return _text(report, bom)
    if fmt == "csv":
        return _csv(bom)
    if fmt == "json":
        return _json(report, bom)
    if fmt == "md":
        return _markdown(report, bom)
    raise ValueError(f"unknown BOM format {fmt!r}")


def sheet_names(halls: Iterable[str]) -> dict[str, str]:
    """A distinct Excel sheet name per hall: at most 31 characters, none of []:*?/\\."""
    names: dict[str, str] = {}
    used = {"totals"}
    for hall in halls:
        base = re.sub(r"[\[\]:*?/\\']", "_", hall_label(hall))[:31] or "hall"
        name, n = base, 2
        while name.lower() in used:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name.lower())
        names[hall] = name
    return names
