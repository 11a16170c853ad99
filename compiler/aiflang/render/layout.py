"""A physical layout and cabling plan of a compiled design, for the exports.

What it guarantees, for a design and the facts its analyses produced:

- racks: every placed rack, named `HALL-R0001` in hall order, and the
  network racks each hall needs (`HALL-NET01`), filled with that hall's
  fabric switches in order of height;
- devices: every node of every rack (`HALL-R0001-N01`) and every fabric
  switch (`compute-leaf0`, `compute-spine0.1`, `compute-core1.0`: the
  expanded graph's names, prefixed by the fabric), each with its hall and
  rack;
- cables: one per link of each sized fabric, with port names a cabling plan
  can use: a node's ports of a NIC role are `ROLE0`, `ROLE1`, ... in the
  order its NICs list them; a switch's are `swp1`, `swp2`, ... and, where
  the fabric runs a port at a fraction of its speed (breakout), `swp1s0`,
  `swp1s1`, ... (the names NVIDIA Cumulus Linux gives breakout ports).

Endpoints fill the leaves of their hall in the fabric plan's leaf order;
in a rail-optimized fabric they are taken rail by rail (port k of every node
is on rail k mod rails), so each leaf carries one rail. Leaf uplinks go to
the spines of the leaf's pod in turn, spine uplinks to the cores of the
spine's group, as the expanded graph joins them. The cables are generated,
never held in a list: a gigawatt campus has millions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from aiflang.analyses.facts import Facts
from aiflang.frontend.design import Design
from aiflang.models.fabric import FabricPlan

U_M = 0.04445  # one rack unit, EIA-310
DEFAULT_RACK_U = 48


@dataclass(frozen=True, slots=True)
class RackSlot:
    name: str
    hall: str
    kind: str  # the rack type's name, or "network"
    u_height: int


@dataclass(frozen=True, slots=True)
class Device:
    name: str
    role: str  # server | leaf | spine | core
    kind: str  # "node" or "switch"
    model: str  # catalog name
    hall: str
    rack: str
    fabric: str = ""


@dataclass(frozen=True, slots=True)
class Cable:
    a_device: str
    a_port: str
    b_device: str
    b_port: str
    fabric: str
    speed_bps: float


@dataclass(slots=True)
class FabricWiring:
    """How one fabric's endpoints and switches are named and joined."""

    name: str
    plan: FabricPlan
    role: str
    endpoints: list[tuple[str, str]]  # (node device, port), in leaf-filling order
    leaves: list[tuple[int, str]] = field(default_factory=list)  # (endpoints, hall) per leaf
    leaf_ports: dict[str, str] = field(default_factory=dict)  # switch model -> port name style
    port_ways: dict[str, int] = field(default_factory=dict)  # tier -> logical ports per physical


@dataclass(slots=True)
class Layout:
    racks: list[RackSlot]
    devices: list[Device]
    wiring: list[FabricWiring]
    node_ports: dict[str, list[tuple[str, float]]]  # node model -> (port name, speed)

    @property
    def cable_count(self) -> int:
        return sum(w.plan.links.total for w in self.wiring)

    def cables(self) -> Iterator[Cable]:
        """Every cable, fabric by fabric: endpoint-leaf, then leaf-spine, then spine-core."""
        for wiring in self.wiring:
            yield from _fabric_cables(wiring)

    def rack_of(self) -> dict[str, str]:
        return {device.name: device.rack for device in self.devices}


def switch_name(fabric: str, switch_id: str) -> str:
    return f"{fabric}-{switch_id}"


def port_name(logical: int, ways: int) -> str:
    """The name of logical port `logical` (1-based) on a switch split `ways` ways."""
    if ways <= 1:
        return f"swp{logical}"
    physical, sub = divmod(logical - 1, ways)
    return f"swp{physical + 1}s{sub}"


def _ways(design: Design, model: str, link_speed_bps: float) -> int:
    switch = design.components.switches.get(model)
    if switch is None or link_speed_bps <= 0:
        return 1
    return max(1, round(switch.port_speed_bps / link_speed_bps))


def _node_ports(design: Design) -> dict[str, list[tuple[str, str, float]]]:
    """Per node model: (role, port name, speed) of every NIC port with a role."""
    result: dict[str, list[tuple[str, str, float]]] = {}
    for name, node in design.components.nodes.items():
        counts: dict[str, int] = {}
        ports: list[tuple[str, str, float]] = []
        for part in node.nics:
            nic = design.components.nics.get(part.name)
            if nic is None or not part.role:
                continue
            for _ in range(part.count * nic.ports):
                index = counts.get(part.role, 0)
                counts[part.role] = index + 1
                ports.append((part.role, f"{part.role}{index}", nic.port_speed_bps))
        result[name] = ports
    return result


def build_layout(design: Design, facts: Facts) -> Layout:
    """Name every rack, node and switch of the design, and wire its sized fabrics."""
    racks: list[RackSlot] = []
    devices: list[Device] = []
    ports = _node_ports(design)
    # (hall, role) -> [(rail index, node device, port)]
    endpoints: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for hall in design.halls:
        number = 0
        for placed in hall.racks:
            rack = design.components.racks.get(placed.name)
            if rack is None:
                continue
            u_height = round(rack.height_m / U_M) if rack.height_m else DEFAULT_RACK_U
            for _ in range(placed.count):
                number += 1
                rack_name = f"{hall.name}-R{number:04d}"
                racks.append(RackSlot(rack_name, hall.name, rack.name, u_height))
                slot = 0
                for part in rack.nodes:
                    for _ in range(part.count):
                        slot += 1
                        node_name = f"{rack_name}-N{slot:02d}"
                        devices.append(
                            Device(node_name, "server", "node", part.name, hall.name, rack_name)
                        )
                        for role, port, _speed in ports.get(part.name, []):
                            rail = int(port[len(role) :])
                            endpoints.setdefault((hall.name, role), []).append(
                                (rail, node_name, port)
                            )
    wiring = [
        _wire(design, facts, fabric_name, plan, endpoints)
        for fabric_name, plan in facts.fabric_plans.items()
    ]
    wired = [w for w in wiring if w is not None]
    _place_switches(design, facts, wired, racks, devices)
    return Layout(
        racks,
        devices,
        wired,
        {name: [(port, speed) for _, port, speed in found] for name, found in ports.items()},
    )


def _wire(
    design: Design,
    facts: Facts,
    name: str,
    plan: FabricPlan,
    endpoints: dict[tuple[str, str], list[tuple[int, str, str]]],
) -> FabricWiring | None:
    fabric = next((f for f in design.fabrics if f.name == name), None)
    if fabric is None:
        return None
    ordered: list[tuple[str, str]] = []
    leaves: list[tuple[int, str]] = []
    plan_leaves = _leaves(plan)
    for hall in [h.name for h in design.halls]:
        found = endpoints.get((hall, fabric.connects), [])
        if plan.topology == "rail_optimized" and plan.rails > 1:
            found = sorted(found, key=lambda e: (e[0] % plan.rails,))  # stable: rack order kept
            leaves += _rail_leaves(plan, hall, found, plan_leaves)
        ordered += [(node, port) for _, node, port in found]
    if sorted(leaves) != sorted(plan_leaves):
        leaves = plan_leaves  # not rail by rail: fill the plan's leaves in its order
    link = plan.link_speed_bps
    models = {"leaf": fabric.leaf, "spine": fabric.spine or fabric.leaf}
    models["core"] = fabric.core or models["spine"]
    return FabricWiring(
        name,
        plan,
        fabric.connects,
        ordered,
        leaves,
        port_ways={tier: _ways(design, model, link) for tier, model in models.items()},
    )


def _leaves(plan: FabricPlan) -> list[tuple[int, str]]:
    """(endpoints, hall) of each leaf in the expanded graph's order."""
    return [(g.endpoints_per_leaf, g.hall) for g in plan.leaf_groups for _ in range(g.count)]


def _rail_leaves(
    plan: FabricPlan,
    hall: str,
    found: list[tuple[int, str, str]],
    plan_leaves: list[tuple[int, str]],
) -> list[tuple[int, str]]:
    """The hall's leaves rail by rail: each rail's endpoints spread evenly over its leaves.

    This is how the sizing spread them (the same loads, so the same switches);
    listing them by rail makes every leaf carry one rail.
    """
    in_hall = [leaf for leaf in plan_leaves if leaf[1] in (hall, "")]
    if not in_hall or len(in_hall) % plan.rails:
        return []
    per_rail = len(in_hall) // plan.rails
    label = in_hall[0][1]
    on_rail = [0] * plan.rails
    for rail, _, _ in found:
        on_rail[rail % plan.rails] += 1
    leaves = []
    for endpoints in on_rail:
        base, heavier = divmod(endpoints, per_rail)
        leaves += [(base + 1, label)] * heavier + [(base, label)] * (per_rail - heavier)
    return leaves


def _fabric_cables(wiring: FabricWiring) -> Iterator[Cable]:
    plan, name, speed = wiring.plan, wiring.name, wiring.plan.link_speed_bps
    ways = wiring.port_ways
    position = 0
    for leaf_index, (load, _hall) in enumerate(wiring.leaves):
        leaf = switch_name(name, f"leaf{leaf_index}")
        for down in range(load):
            if position >= len(wiring.endpoints):
                break
            node, port = wiring.endpoints[position]
            position += 1
            yield Cable(node, port, leaf, port_name(down + 1, ways["leaf"]), name, speed)
        if plan.tiers < 2:
            continue
        pod = leaf_index // plan.leaves_per_pod if plan.leaves_per_pod else 0
        within = leaf_index - pod * plan.leaves_per_pod
        uplink = plan.leaf_downlinks
        for spine in range(plan.spines_per_pod):
            for link in range(plan.links_leaf_to_spine):
                uplink += 1
                spine_port = within * plan.links_leaf_to_spine + link + 1
                yield Cable(
                    leaf,
                    port_name(uplink, ways["leaf"]),
                    switch_name(name, f"spine{pod}.{spine}"),
                    port_name(spine_port, ways["spine"]),
                    name,
                    speed,
                )
    if plan.tiers < 3:
        return
    for pod in range(plan.pods):
        for spine in range(plan.spines_per_pod):
            uplink = plan.spine_downlinks
            for core in range(plan.cores_per_group):
                for link in range(plan.links_spine_to_core):
                    uplink += 1
                    core_port = pod * plan.links_spine_to_core + link + 1
                    yield Cable(
                        switch_name(name, f"spine{pod}.{spine}"),
                        port_name(uplink, ways["spine"]),
                        switch_name(name, f"core{spine}.{core}"),
                        port_name(core_port, ways["core"]),
                        name,
                        speed,
                    )


def _place_switches(
    design: Design,
    facts: Facts,
    wiring: list[FabricWiring],
    racks: list[RackSlot],
    devices: list[Device],
) -> None:
    """Every switch into its hall's network racks, filled in order, by height."""
    usable_u = max(1, math.floor(facts.assumptions.value("network_rack_usable_height_m") / U_M))
    default_u = max(1, round(facts.assumptions.value("network_switch_default_height_m") / U_M))
    spine_hall_of = {
        f.name: f.hall or (design.halls[0].name if design.halls else "") for f in design.fabrics
    }
    by_hall: dict[str, list[tuple[str, str, str, str]]] = {}  # hall -> (name, role, model, fabric)
    for w in wiring:
        fabric = next(f for f in design.fabrics if f.name == w.name)
        plan = w.plan
        for index, (_, hall) in enumerate(w.leaves):
            place = hall or spine_hall_of[w.name]
            by_hall.setdefault(place, []).append(
                (switch_name(w.name, f"leaf{index}"), "leaf", fabric.leaf, w.name)
            )
        spine_model = fabric.spine or fabric.leaf
        upper = spine_hall_of[w.name]
        if plan.tiers >= 2:
            for pod in range(plan.pods):
                for spine in range(plan.spines_per_pod):
                    by_hall.setdefault(upper, []).append(
                        (switch_name(w.name, f"spine{pod}.{spine}"), "spine", spine_model, w.name)
                    )
        if plan.tiers == 3:
            core_model = fabric.core or spine_model
            for group in range(plan.core_groups):
                for core in range(plan.cores_per_group):
                    by_hall.setdefault(upper, []).append(
                        (switch_name(w.name, f"core{group}.{core}"), "core", core_model, w.name)
                    )
    for hall in [h.name for h in design.halls] + sorted(
        set(by_hall) - {h.name for h in design.halls}
    ):
        rack_number, used = 0, usable_u
        for name, role, model, fabric_name in by_hall.get(hall, []):
            switch = design.components.switches.get(model)
            height = round(switch.height_m / U_M) if switch and switch.height_m else default_u
            if used + height > usable_u:
                rack_number += 1
                used = 0
                racks.append(
                    RackSlot(f"{hall}-NET{rack_number:02d}", hall, "network", DEFAULT_RACK_U)
                )
            used += height
            devices.append(
                Device(
                    name, role, "switch", model, hall, f"{hall}-NET{rack_number:02d}", fabric_name
                )
            )
