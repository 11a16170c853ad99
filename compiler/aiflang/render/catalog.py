"""`aifc catalog`: the built-in components with their sources, as text, JSON or CSV.

A project's own catalog parts (`catalog` in its configuration) are listed
with the built-in ones and marked `(project)`.

The list shows each entry's key figures and, under it, how sure they are,
their date and their source; `aifc catalog NAME` shows every attribute with
the note written beside it. JSON and CSV carry every attribute: JSON with
the value as written, in SI units where it has one, and its note; CSV one
column per attribute, as written. Entries come from
`aiflang.render.catalog_query`, which also filters them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from aiflang import units
from aiflang.render.catalog_query import Entry
from aiflang.syntax.schema import BLOCKS, COMPONENT_KINDS

CATALOG_FORMAT_VERSION = "1.0"

_HEADINGS = {
    "gpu": "GPUs and accelerators",
    "cpu": "CPUs",
    "nic": "NICs and DPUs",
    "switch": "Switches",
    "transceiver": "Transceivers and cables",
    "node": "Nodes",
    "rack": "Racks",
    "ups": "UPS modules",
    "cdu": "Coolant distribution units",
    "chiller": "Chillers",
    "dry_cooler": "Dry coolers",
    "generator": "Generators",
    "battery": "Batteries",
    "busway": "Busway",
    "power_shelf": "Rack power shelves",
    "appliance": "Storage appliances",
}
_KEY_ATTRIBUTES = {
    "gpu": ("memory", "memory_bandwidth", "bf16", "fp8", "fp4", "tdp", "max_scale_up"),
    "cpu": ("cores", "tdp"),
    "nic": ("ports", "power"),
    "switch": ("ports", "breakout", "power", "height"),
    "transceiver": ("speed", "media", "reach", "power"),
    "node": ("gpus", "nics", "power"),
    "rack": ("nodes", "switches", "power", "cooling"),
    "ups": ("rating", "efficiency", "eco_efficiency"),
    "cdu": ("capacity", "placement", "pump_power"),
    "chiller": ("capacity", "cop", "condenser"),
    "dry_cooler": ("capacity", "fan_power"),
    "generator": ("rating", "rating_class"),
    "battery": ("energy", "power", "chemistry"),
    "busway": ("rating",),
    "power_shelf": ("output", "efficiency", "height"),
    "appliance": ("capacity", "bandwidth", "power", "height"),
}
# Provenance, shown on its own line (text) or in its own columns (CSV).
_PROVENANCE = ("status", "date", "vendor", "price", "price_source", "url", "source")


def _provenance_line(entry: Entry) -> str:
    status = entry.text("status") or "status not given"
    date = entry.text("date") or "undated"
    source = entry.text("source") or "no source"
    return f"{status}, {date}: {source}"


def render_text(entries: list[Entry]) -> str:
    """The list, grouped by kind: key figures, then status, date and source."""
    if not entries:
        return "No catalog entry matches."
    out: list[str] = []
    for kind in COMPONENT_KINDS:
        group = [e for e in entries if e.kind == kind]
        if not group:
            continue
        out.append(f"{_HEADINGS.get(kind, kind)}:")
        for entry in group:
            figures = [
                f"{key} {entry.values[key].text}"
                for key in _KEY_ATTRIBUTES.get(kind, ())
                if key in entry.values
            ]
            label = f"{entry.name} (project)" if entry.project else entry.name
            out.append(f"  {label}: " + (", ".join(figures) or "(no figures)"))
            out.append(f"      {_provenance_line(entry)}")
        out.append("")
    out.append(f"{len(entries)} entries. Run `aifc catalog NAME` for one entry with every figure.")
    return "\n".join(out)


def render_detail(entry: Entry) -> str:
    """One entry: every attribute as written, with its note."""
    header = f"{entry.kind} {entry.name}"
    if entry.extends:
        header += f" extends {entry.extends}"
    out = [header, f"  defined in {entry.file}:{entry.line}"]
    if entry.doc:
        out.extend("  " + line for line in entry.doc.splitlines())
    out.append("")
    for key, value in entry.values.items():
        out.append(f"  {key:<20} {value.text}" + (f"   # {value.note}" if value.note else ""))
    return "\n".join(out)


def _unit_name(dimension: units.Dimension | None) -> str | None:
    if dimension is None:
        return None
    return units.reference_unit(dimension) if dimension else ""


def entry_json(entry: Entry) -> dict[str, Any]:
    """One entry as JSON data: provenance fields first, then every attribute."""
    return {
        "kind": entry.kind,
        "name": entry.name,
        "extends": entry.extends,
        "file": entry.file,
        "line": entry.line,
        "doc": entry.doc,
        "project": entry.project,
        "status": entry.text("status"),
        "date": entry.text("date"),
        "source": entry.text("source"),
        "url": entry.text("url"),
        "attributes": {
            key: {
                "text": value.text,
                "value": value.si,
                "unit": _unit_name(value.dimension) if value.si is not None else None,
                "note": value.note,
            }
            for key, value in entry.values.items()
        },
    }


def render_json(entries: list[Entry]) -> str:
    document = {
        "format_version": CATALOG_FORMAT_VERSION,
        "count": len(entries),
        "entries": [entry_json(e) for e in entries],
    }
    return json.dumps(document, indent=2, sort_keys=False)


def render_csv(entries: list[Entry]) -> str:
    """One row per entry: kind, name, provenance, then one column per attribute."""
    columns: list[str] = []
    for kind in COMPONENT_KINDS:
        if any(e.kind == kind for e in entries):
            for name in BLOCKS[kind].attrs:
                if name not in columns and name not in _PROVENANCE:
                    columns.append(name)
    header = ["kind", "name", "extends", *_PROVENANCE, *columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for entry in entries:
        row = [entry.kind, entry.name, entry.extends or ""]
        row.extend(entry.text(key) or "" for key in (*_PROVENANCE, *columns))
        writer.writerow(row)
    return buffer.getvalue().rstrip("\n")


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv}
