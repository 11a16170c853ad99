"""NetBox export (`aifc export netbox FILE -o DIR`): device types and bulk-import CSV files.

Files written, as a mapping of relative path to text:

- `device-types/<Manufacturer>/<slug>.yaml`: one device type per node and
  switch model the design uses, in the netbox-community device-type library
  format (manufacturer, model, slug, part_number, u_height, is_full_depth,
  interfaces with NetBox interface types, comments with the part's source);
- `manufacturers.csv`, `device_roles.csv`, `sites.csv`, `locations.csv`
  (one per hall), `racks.csv`, `devices.csv`: NetBox's bulk-import columns,
  in the order to import them (after the device types);
- `interfaces.csv`: the breakout ports (`swp1s0`, ...) of switches whose
  fabric runs ports split, which a device type does not create;
- `cables.csv`: one row per cable, interface to interface, while the design
  has at most `CABLE_LIST_LIMIT` cables; above it `cable_summary.csv`
  instead: cables per pair of racks and fabric (a gigawatt campus has
  millions, more than an import should carry in one file);
- `README.md`: what was written and the order to import it.

Names are the layout's (render/layout.py). Every file is deterministic.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

from aiflang.analyses.bom import vendor_and_model
from aiflang.analyses.facts import Facts
from aiflang.diagnostics.characters import neutralise
from aiflang.frontend.design import Design
from aiflang.render.layout import U_M, Layout, build_layout, port_name

CABLE_LIST_LIMIT = 100_000
STATUS = "planned"
ROLES = {"server": "9e9e9e", "leaf": "2196f3", "spine": "3f51b5", "core": "673ab7"}
# NetBox interface types by port speed (its `generated_schema.json` enum); others are "other".
INTERFACE_TYPES = {
    25e9: "25gbase-x-sfp28",
    100e9: "100gbase-x-qsfp28",
    200e9: "200gbase-x-qsfp56",
    400e9: "400gbase-x-osfp",
    800e9: "800gbase-x-osfp",
}


def slugify(text: str) -> str:
    """A NetBox slug: lower-case letters, digits, `-` and `_`."""
    slug = re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")
    return slug or "part"


def interface_type(speed_bps: float) -> str:
    return INTERFACE_TYPES.get(speed_bps, "other")


def _u_height(height_m: float | None) -> float:
    """Rack units to the half unit NetBox allows; 1 U where the catalog gives no height."""
    if not height_m:
        return 1.0
    return max(0.5, round(height_m / U_M * 2) / 2)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _device_type(
    component: Any, kind: str, interfaces: list[tuple[str, float]]
) -> tuple[str, str, dict[str, Any]]:
    """(manufacturer, model, device type) of one part."""
    vendor, model = vendor_and_model(component)
    manufacturer = vendor or "Generic"
    model_name = (model or component.name)[:100]
    data: dict[str, Any] = {
        "manufacturer": manufacturer,
        "model": model_name,
        "slug": slugify(f"{manufacturer}-{model_name}")[:100],
        "part_number": component.name[:50],
        "u_height": _number(_u_height(getattr(component, "height_m", None))),
        "is_full_depth": True,
        "comments": neutralise(
            f"aifc catalog {kind} `{component.name}`; source: {component.source}"
        )
        if getattr(component, "source", None)
        else f"aifc {kind} `{component.name}`",
    }
    if interfaces:
        data["interfaces"] = [{"name": n, "type": interface_type(s)} for n, s in interfaces]
    return manufacturer, model_name, data


def device_types(design: Design, layout: Layout) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """(manufacturer, model, device type) by (kind, catalog name) of every model used."""
    used = sorted({(d.kind, d.model) for d in layout.devices})
    result = {}
    for kind, name in used:
        if kind == "node":
            component: Any = design.components.nodes.get(name)
            ports = layout.node_ports.get(name, [])
        else:
            component = design.components.switches.get(name)
            ports = (
                [(f"swp{n}", component.port_speed_bps) for n in range(1, component.ports + 1)]
                if component
                else []
            )
        if component is not None:
            result[f"{kind}:{name}"] = _device_type(component, kind, ports)
    return result


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return neutralise(buffer.getvalue())


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def export_netbox(design: Design, facts: Facts, site: str) -> dict[str, str]:
    """Every file of the export, by relative path."""
    layout = build_layout(design, facts)
    types = device_types(design, layout)
    files: dict[str, str] = {}
    for manufacturer, _model, data in types.values():
        files[f"device-types/{slugify(manufacturer)}/{data['slug']}.yaml"] = _yaml(data)
    site_slug = slugify(site)
    manufacturers = sorted({m for m, _, _ in types.values()})
    files["manufacturers.csv"] = _csv(["name", "slug"], [[m, slugify(m)] for m in manufacturers])
    files["device_roles.csv"] = _csv(
        ["name", "slug", "color"], [[role, role, colour] for role, colour in ROLES.items()]
    )
    files["sites.csv"] = _csv(["name", "slug", "status"], [[site, site_slug, STATUS]])
    files["locations.csv"] = _csv(
        ["site", "name", "slug", "status"],
        [[site, hall.name, slugify(f"{site}-{hall.name}"), STATUS] for hall in design.halls],
    )
    files["racks.csv"] = _csv(
        ["site", "location", "name", "status", "width", "u_height"],
        [[site, r.hall, r.name, STATUS, 19, r.u_height] for r in layout.racks],
    )
    rows = []
    for device in layout.devices:
        manufacturer, model, _ = types[f"{device.kind}:{device.model}"]
        rows.append(
            [device.name, device.role, manufacturer, model, site, device.hall, device.rack, STATUS]
        )
    files["devices.csv"] = _csv(
        ["name", "role", "manufacturer", "device_type", "site", "location", "rack", "status"], rows
    )
    files["interfaces.csv"] = _csv(["device", "name", "type"], _breakouts(design, layout))
    if layout.cable_count <= CABLE_LIST_LIMIT:
        files["cables.csv"] = _csv(
            [
                "side_a_device",
                "side_a_type",
                "side_a_name",
                "side_b_device",
                "side_b_type",
                "side_b_name",
                "status",
                "label",
            ],
            [
                _cable_row(c.a_device, c.a_port, c.b_device, c.b_port, c.fabric)
                for c in layout.cables()
            ],
        )
    else:
        files["cable_summary.csv"] = _csv(
            ["fabric", "side_a_rack", "side_b_rack", "cables"],
            [[f, a, b, n] for (f, a, b), n in sorted(rack_pairs(layout).items())],
        )
    files["README.md"] = _readme(design, layout, files)
    return files


def _cable_row(a_device: str, a_port: str, b_device: str, b_port: str, fabric: str) -> list[str]:
    return [a_device, "dcim.interface", a_port, b_device, "dcim.interface", b_port, STATUS, fabric]


def _breakouts(design: Design, layout: Layout) -> list[list[Any]]:
    """The split ports of every switch in a fabric that runs its ports split."""
    rows: list[list[Any]] = []
    ways_by_fabric = {w.name: w.port_ways for w in layout.wiring}
    speed_by_fabric = {w.name: w.plan.link_speed_bps for w in layout.wiring}
    for device in layout.devices:
        if device.kind != "switch":
            continue
        ways = ways_by_fabric.get(device.fabric, {}).get(device.role, 1)
        switch = design.components.switches.get(device.model)
        if ways <= 1 or switch is None:
            continue
        kind = interface_type(speed_by_fabric[device.fabric])
        for logical in range(1, switch.ports * ways + 1):
            rows.append([device.name, port_name(logical, ways), kind])
    return rows


def rack_pairs(layout: Layout) -> Counter[tuple[str, str, str]]:
    """Cables per (fabric, rack, rack), counted from the plan without listing every cable."""
    rack_of = layout.rack_of()
    pairs: Counter[tuple[str, str, str]] = Counter()
    for wiring in layout.wiring:
        plan, name = wiring.plan, wiring.name
        position = 0
        for leaf_index, (load, _hall) in enumerate(wiring.leaves):
            leaf_rack = rack_of[f"{name}-leaf{leaf_index}"]
            for node, _port in wiring.endpoints[position : position + load]:
                pairs[(name, rack_of[node], leaf_rack)] += 1
            position += load
            if plan.tiers >= 2:
                pod = leaf_index // plan.leaves_per_pod if plan.leaves_per_pod else 0
                for spine in range(plan.spines_per_pod):
                    spine_rack = rack_of[f"{name}-spine{pod}.{spine}"]
                    pairs[(name, leaf_rack, spine_rack)] += plan.links_leaf_to_spine
        if plan.tiers < 3:
            continue
        for pod in range(plan.pods):
            for spine in range(plan.spines_per_pod):
                spine_rack = rack_of[f"{name}-spine{pod}.{spine}"]
                for core in range(plan.cores_per_group):
                    core_rack = rack_of[f"{name}-core{spine}.{core}"]
                    pairs[(name, spine_rack, core_rack)] += plan.links_spine_to_core
    return pairs


def _readme(design: Design, layout: Layout, files: dict[str, str]) -> str:
    cables = (
        f"`cables.csv`: {layout.cable_count:,} cables, interface to interface."
        if "cables.csv" in files
        else f"`cable_summary.csv`: {layout.cable_count:,} cables, more than the "
        f"{CABLE_LIST_LIMIT:,} listed one by one, counted per pair of racks and fabric."
    )
    return "\n".join(
        [
            f"# NetBox import of {design.name}",
            "",
            "Written by `aifc export netbox`. Import in this order:",
            "",
            "1. the device types in `device-types/` (the devicetype-library importer, or",
            "   Devices > Device Types > Import, one YAML file at a time);",
            "2. `manufacturers.csv` and `device_roles.csv` (before the device types, if the",
            "   importer does not create manufacturers);",
            "3. `sites.csv`, `locations.csv` (one per hall), `racks.csv`;",
            "4. `devices.csv`, then `interfaces.csv` (breakout ports);",
            f"5. {cables}",
            "",
            f"{len(layout.racks):,} racks, {len(layout.devices):,} devices. Everything is "
            f"`{STATUS}`: a design, not an inventory.",
            "",
        ]
    )
