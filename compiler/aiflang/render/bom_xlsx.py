"""The bill of materials as an XLSX workbook that stays live (openpyxl).

One sheet per hall (and one, "site", for what stands in no hall), then
"Totals". On a hall sheet each line is a row; `Extended` is the formula
`=count x unit price` where the line has a price, `Capex` repeats it for
lines in capex, `Power counted` repeats `Total power` (`=count x unit
power`) for lines no other line holds, and the row under the last line sums
`Capex` and `Power counted`. "Totals" refers to those sums and
adds them up, so editing a count or a price anywhere updates every total.
A part without a price holds the text "no price" in its price cells.
"""

from __future__ import annotations

import io
import re
import zipfile

from aiflang.diagnostics.characters import neutralise
from aiflang.render.bom import STATUS_TEXT, groups, hall_label, sheet_names
from aiflang.report import BomReport, Report

HEADERS = [
    "Category",
    "Kind",
    "Catalog name",
    "Vendor",
    "Model",
    "Fabric",
    "Tier",
    "Inside",
    "Count",
    "Unit",
    "Unit price (USD)",
    "Extended (USD)",
    "Capex (USD)",
    "Price status",
    "Unit power (W)",
    "Total power (W)",
    "Power counted (W)",
]
# Columns by letter, for the formulas.
COUNT, UNIT_PRICE, EXTENDED, CAPEX, UNIT_POWER, TOTAL_POWER = "I", "K", "L", "M", "O", "P"
COUNTED = "Q"  # a line's power when no other line holds it (a GPU's is in its node's)
MONEY_FORMAT = '"$"#,##0'
POWER_FORMAT = "#,##0"


def _cell_text(text: str | None) -> str:
    """Text for a cell: control characters escaped, and never read as a formula."""
    value = neutralise(text or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def render_xlsx(report: Report) -> bytes:
    """The report's BOM as a deterministic XLSX workbook."""
    if report.bom is None:
        raise ValueError("the report has no bill of materials")
    return deterministic_zip(workbook_bytes(report, report.bom))


def workbook_bytes(report: Report, bom: BomReport) -> bytes:
    """The workbook's bytes as openpyxl writes them (with its times)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    names = sheet_names(hall for hall, _ in groups(bom))
    bold = Font(bold=True)
    sums: list[tuple[str, str, int]] = []  # (hall label, sheet, row of its sums)
    for hall, lines in groups(bom):
        sheet = book.create_sheet(names[hall])
        sheet.append(HEADERS)
        for cell in sheet[1]:
            cell.font = bold
        for line in lines:
            row = sheet.max_row + 1
            priced = line.unit_price_usd is not None
            status = STATUS_TEXT.get(line.price_status, line.price_status)
            sheet.append(
                [
                    line.category,
                    line.kind,
                    _cell_text(line.name),
                    _cell_text(line.vendor),
                    _cell_text(line.model),
                    _cell_text(line.fabric),
                    line.tier or "",
                    _cell_text(line.parent),
                    line.count,
                    line.unit,
                    line.unit_price_usd if priced else status,
                    f"={COUNT}{row}*{UNIT_PRICE}{row}" if priced else status,
                    f"={EXTENDED}{row}" if line.in_capex else None,
                    status or "priced",
                    line.unit_power_w,
                    f"={COUNT}{row}*{UNIT_POWER}{row}" if line.unit_power_w is not None else None,
                    f"={TOTAL_POWER}{row}"
                    if line.unit_power_w is not None and line.parent is None
                    else None,
                ]
            )
            for column in (UNIT_PRICE, EXTENDED, CAPEX):
                sheet[f"{column}{row}"].number_format = MONEY_FORMAT
            for column in (UNIT_POWER, TOTAL_POWER, COUNTED):
                sheet[f"{column}{row}"].number_format = POWER_FORMAT
        last = sheet.max_row
        total_row = last + 1
        sheet[f"A{total_row}"] = "Total"
        sheet[f"A{total_row}"].font = bold
        sheet[f"{CAPEX}{total_row}"] = f"=SUM({CAPEX}2:{CAPEX}{last})"
        sheet[f"{CAPEX}{total_row}"].number_format = MONEY_FORMAT
        sheet[f"{COUNTED}{total_row}"] = f"=SUM({COUNTED}2:{COUNTED}{last})"
        sheet[f"{COUNTED}{total_row}"].number_format = POWER_FORMAT
        sheet.freeze_panes = "A2"
        sums.append((hall_label(hall), names[hall], total_row))
    _totals(book, report, sums, bold)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _totals(book: object, report: Report, sums: list[tuple[str, str, int]], bold: object) -> None:
    sheet = book.create_sheet("Totals")  # type: ignore[attr-defined]
    sheet.append(["Hall", "Capex (USD)", "Power of the parts (W)"])
    for cell in sheet[1]:
        cell.font = bold
    for label, name, row in sums:
        quoted = "'" + name.replace("'", "''") + "'"
        sheet.append([label, f"={quoted}!{CAPEX}{row}", f"={quoted}!{COUNTED}{row}"])
    last = sheet.max_row
    sheet.append(["Total", f"=SUM(B2:B{last})", f"=SUM(C2:C{last})"])
    sheet[f"A{last + 1}"].font = bold
    for row in range(2, last + 2):
        sheet[f"B{row}"].number_format = '"$"#,##0'
        sheet[f"C{row}"].number_format = "#,##0"
    sheet.append([])
    sheet.append(["Factory", _cell_text(report.factory)])
    sheet.append(["Design", _cell_text(report.file)])
    if report.provenance is not None:
        sheet.append(["aifc", report.provenance.aifc_version])
        sheet.append(["Catalog sha256", report.provenance.catalog_sha256])


FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def deterministic_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times and no creation or modification time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(b"", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
