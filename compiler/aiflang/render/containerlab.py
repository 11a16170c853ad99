"""containerlab export (`aifc export containerlab FILE`): a topology of an expanded fabric.

One node per switch and per host (a node with a NIC port on the fabric), one
veth link per cable, with the layout's interface names (render/layout.py):
host ports `compute0`, `compute1`, ..., switch ports `swp1` or, split,
`swp1s0`. Hosts are `linux` nodes of `host_image`; switches are `linux`
nodes of `switch_image`, labelled with their catalog model and tier, to be
swapped for a network OS image (for example the `nvidia_cumulusvx` kind).
Only fabrics whose expanded graph stays within the `--expand` limit
(`EXPANDED_NODE_LIMIT` nodes) are exported: a lab of a campus would not run.
"""

from __future__ import annotations

import re
from typing import Any

from aiflang.analyses.facts import Facts
from aiflang.frontend.design import Design
from aiflang.render.layout import build_layout

HOST_IMAGE = "alpine:3"
SWITCH_IMAGE = "alpine:3"


def lab_name(name: str) -> str:
    """A containerlab topology name: letters, digits, `-`, `_` and `.`; a letter or digit first."""
    cleaned = re.sub(r"[^a-zA-Z0-9._-]+", "-", name).strip("-._")
    return cleaned or "aifc"


def export_containerlab(
    design: Design,
    facts: Facts,
    *,
    fabric: str | None = None,
    host_image: str = HOST_IMAGE,
    switch_image: str = SWITCH_IMAGE,
) -> tuple[dict[str, Any] | None, str | None]:
    """The topology (as data) of the design's fabrics, or of `fabric`; or a problem."""
    from aiflang.models.topology import EXPANDED_NODE_LIMIT, expanded_size

    plans = {n: p for n, p in facts.fabric_plans.items() if fabric is None or n == fabric}
    if not plans:
        known = ", ".join(sorted(facts.fabric_plans)) or "none"
        what = f"no fabric {fabric!r}" if fabric else "no sized fabric"
        return None, f"{what}; the sized fabrics are: {known}"
    size = sum(expanded_size(plan) for plan in plans.values())
    if size > EXPANDED_NODE_LIMIT:
        return None, (
            f"the expanded fabric would have {size:,} nodes, over the limit of "
            f"{EXPANDED_NODE_LIMIT:,}; export one small fabric with --fabric"
        )
    layout = build_layout(design, facts)
    devices = {d.name: d for d in layout.devices}
    nodes: dict[str, Any] = {}
    links: list[dict[str, Any]] = []
    for wiring in layout.wiring:
        if wiring.name not in plans:
            continue
        for cable in _cables(layout, wiring.name):
            for name in (cable.a_device, cable.b_device):
                if name not in nodes:
                    nodes[name] = _node(devices[name], host_image, switch_image)
            links.append(
                {
                    "endpoints": [
                        f"{cable.a_device}:{cable.a_port}",
                        f"{cable.b_device}:{cable.b_port}",
                    ]
                }
            )
    topology: dict[str, Any] = {"nodes": dict(sorted(nodes.items()))}
    if links:  # containerlab's schema wants at least one link when `links` is given
        topology["links"] = links
    return {"name": lab_name(design.name), "topology": topology}, None


def _cables(layout: Any, fabric: str) -> Any:
    return (cable for cable in layout.cables() if cable.fabric == fabric)


def _node(device: Any, host_image: str, switch_image: str) -> dict[str, Any]:
    labels = {
        "aifc-model": device.model,
        "aifc-role": device.role,
        "aifc-hall": device.hall,
        "aifc-rack": device.rack,
    }
    if device.fabric:
        labels["aifc-fabric"] = device.fabric
    image = switch_image if device.kind == "switch" else host_image
    return {"kind": "linux", "image": image, "labels": labels}


def dump_topology(topology: dict[str, Any]) -> str:
    import yaml

    return "# containerlab topology written by `aifc export containerlab`\n" + yaml.safe_dump(
        topology, sort_keys=False, width=1000
    )
