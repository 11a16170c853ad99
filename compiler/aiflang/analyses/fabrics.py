"""Size every fabric of a design: endpoints, switches, links, optics, bisection, N-1.

Needs an elaborated `Design` (switch, NIC, node and rack names resolved).
Afterwards `facts` holds, for each fabric that has endpoints:
`fabrics` (the JSON report rows), `fabric_plans` and `topologies` (the
working objects, by fabric name), derivations under `fabrics.<name>.*`,
and the network's power and rack count per hall
(`network_power_by_hall_w`, `network_racks_by_hall`) for the power check.

Choices this pass makes (the sizing itself is in docs/models.md):

- Endpoints are the NIC ports whose role is the fabric's `connects`, over
  every rack of every hall: racks x nodes x NICs x ports. A fabric whose
  endpoints sit in several halls gets its own leaves in each hall.
- Mixed NIC speeds on one role: the fabric is sized at the slowest, as a
  faster NIC on a slower port runs at the port's speed (a note says so).
- Rails (rail-optimized only): the fabric's `rails`, else the most ports of
  the role on one node (8 on a DGX H100, 4 on a GB200 tray).
- A NIC role no fabric connects is not a finding: a design may leave its
  storage or frontend network out. A fabric that connects a role no NIC
  has is E303, with the roles that do exist as help.
- Leaf switches and their optics count in the hall of their endpoints;
  spines, cores and their optics in the fabric's `hall`, else the first.

Emits E301-E304 and W303 (from the sizing), W301 (an oversubscribed fabric
that carries training: `training = true`, or by default the `compute`
fabric of a design with `train` workloads) and W302 (a switch whose loss
splits the switch fabric). Single-homed endpoints (every endpoint behind
one leaf, by design in a rail-optimized fabric) are reported, not warned.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from aiflang import report as rp
from aiflang.analyses.facts import Facts
from aiflang.analyses.optics import OpticsChoice, choose_optics, optics_assumptions
from aiflang.diagnostics import Fix, Sink, codes, get_close_matches, replacements
from aiflang.frontend.design import Design, Fabric, Switch
from aiflang.models.assumptions import Assumptions
from aiflang.models.fabric import (
    FabricInput,
    FabricPlan,
    SwitchModel,
    fabric_derivations,
    plan_fabric,
)
from aiflang.records import field, record

if TYPE_CHECKING:
    from aiflang.models.topology import TopologyAnalysis


@record(frozen=False)
class Endpoints:
    """The NIC ports of one role across the design."""

    by_hall: dict[str, int] = field(default_factory=dict)
    speeds_bps: set[float] = field(default_factory=set)
    nodes: int = 0
    gpus: int = 0
    max_ports_per_node: int = 0
    # "127 x DGX_H100 x 8 ports", for notes
    parts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_hall.values())

    def describe(self) -> str:
        return "; ".join(
            f"{nodes:,} x {node} x {ports} port{'s' if ports != 1 else ''}"
            for node, (nodes, ports) in sorted(self.parts.items())
        )


def count_endpoints(design: Design) -> dict[str, Endpoints]:
    """Endpoints by NIC role, counted symbolically (types times counts)."""
    nics = design.components.nics
    found: dict[str, Endpoints] = {}
    for placed in design.placed_nodes():
        node, nodes, hall = placed.node, placed.nodes, placed.hall.name
        ports_by_role: dict[str, int] = {}
        for nic_part in node.nics:
            nic = nics.get(nic_part.name)
            if nic is None or not nic_part.role:
                continue
            role = found.setdefault(nic_part.role, Endpoints())
            ports = nic_part.count * nic.ports
            ports_by_role[nic_part.role] = ports_by_role.get(nic_part.role, 0) + ports
            role.by_hall[hall] = role.by_hall.get(hall, 0) + nodes * ports
            role.speeds_bps.add(nic.port_speed_bps)
        for role_name, ports in ports_by_role.items():
            role = found[role_name]
            role.nodes += nodes
            role.gpus += nodes * node.gpu_count
            role.max_ports_per_node = max(role.max_ports_per_node, ports)
            seen_nodes, _ = role.parts.get(node.name, (0, ports))
            role.parts[node.name] = (seen_nodes + nodes, ports)
    return found


def _switch_model(switch: Switch) -> SwitchModel:
    return SwitchModel(
        name=switch.name,
        ports=switch.ports,
        port_speed_bps=switch.port_speed_bps,
        breakout_ways=switch.breakout_ways,
        power_w=switch.power_w,
        height_m=switch.height_m,
        price_usd=switch.price_usd,
        co_packaged_optics=switch.co_packaged_optics,
    )


def _carries_training(design: Design, fabric: Fabric) -> bool:
    if fabric.training is not None:
        return fabric.training
    return fabric.connects == "compute" and bool(design.train)


def size_fabrics(design: Design, facts: Facts, sink: Sink) -> None:
    """Size each fabric of `design`, record the results in `facts`, report findings."""
    endpoints_by_role = count_endpoints(design)
    connected = {f.connects for f in design.fabrics}
    for fabric in design.fabrics:
        endpoints = endpoints_by_role.get(fabric.connects)
        if endpoints is None or endpoints.total <= 0:
            _no_endpoints(fabric, endpoints_by_role, connected, sink)
            continue
        _size_one(design, fabric, endpoints, facts, sink)


def _no_endpoints(
    fabric: Fabric, by_role: dict[str, Endpoints], connected: set[str], sink: Sink
) -> None:
    free = sorted(r for r, e in by_role.items() if r not in connected and e.total > 0)
    close = get_close_matches(fabric.connects, free, n=1)
    fixes: tuple[Fix, ...] = ()
    if close:
        help_text = f"did you mean `connects = {close[0]}`?"
        fixes = replacements(fabric.attr_spans.get("connects"), [f"connects = {close[0]}"])
    elif free:
        help_text = "NIC roles no fabric connects yet: " + ", ".join(free)
    else:
        help_text = (
            f"give a node NICs `for {fabric.connects}` and place it in a hall, or remove the fabric"
        )
    roles = ", ".join(sorted(by_role)) or "none"
    sink.error(
        codes.E303,
        f"fabric {fabric.name!r} connects `{fabric.connects}`, but no NIC in the halls "
        "has that role",
        fabric.span,
        notes=(f"NIC roles in the halls: {roles}",),
        help=help_text,
        fixes=fixes,
    )


def _size_one(
    design: Design, fabric: Fabric, endpoints: Endpoints, facts: Facts, sink: Sink
) -> None:
    """Size one fabric, report its findings, and record it in `facts`."""
    leaf = design.components.switches.get(fabric.leaf)
    if leaf is None:  # elaboration reported the unknown switch
        return
    link_speed = min(min(endpoints.speeds_bps), leaf.port_speed_bps)
    optics = choose_optics(design, fabric, link_speed, sink)
    inp = _fabric_input(design, fabric, endpoints, leaf, optics)
    assumptions = optics_assumptions(facts.assumptions, optics, link_speed)
    plan = plan_fabric(inp, assumptions)
    from aiflang.analyses.topology_cache import cached_failure_impacts
    from aiflang.models.topology import analyze_topology

    analysis = analyze_topology(plan, cached_failure_impacts(plan))
    _report_issues(fabric, endpoints, plan, sink)
    if _carries_training(design, fabric):
        _check_oversubscription(inp, plan, fabric, assumptions, sink)
    _report_single_points(fabric, plan, analysis, sink)
    facts.fabric_plans[fabric.name] = plan
    facts.topologies[fabric.name] = analysis
    facts.fabrics.append(_fabric_report(design, fabric, endpoints, plan, analysis, optics))
    spine_hall = fabric.hall or (design.halls[0].name if design.halls else "")
    _assign_to_halls(plan, inp, spine_hall, assumptions, facts)
    for figure, derivation in fabric_derivations(plan, inp.leaf.name).items():
        facts.record_derivation(f"fabrics.{fabric.name}.{figure}", derivation)


def _fabric_input(
    design: Design, fabric: Fabric, endpoints: Endpoints, leaf: Switch, optics: OpticsChoice
) -> FabricInput:
    """What the sizing model needs: endpoints, speeds, rails, switch models, counts per hall,
    and whether its links are copper cables."""
    switches = design.components.switches
    spine = switches.get(fabric.spine or "")
    core = switches.get(fabric.core or "")
    rails = fabric.rails or max(1, endpoints.max_ports_per_node)
    return FabricInput(
        name=fabric.name,
        topology=fabric.topology,
        endpoints=endpoints.total,
        endpoint_speed_bps=min(endpoints.speeds_bps),
        leaf=_switch_model(leaf),
        rails=max(1, rails),
        nodes=endpoints.nodes,
        oversubscription=fabric.oversubscription,
        tiers=fabric.tiers,
        spine=_switch_model(spine) if spine else None,
        core=_switch_model(core) if core else None,
        declared_switches=dict(fabric.declared_switches),
        halls=_endpoint_halls(endpoints),
        copper_cables=optics.copper,
    )


def _endpoint_halls(endpoints: Endpoints) -> dict[str, int]:
    return {hall: count for hall, count in endpoints.by_hall.items() if count > 0}


def _report_issues(fabric: Fabric, endpoints: Endpoints, plan: FabricPlan, sink: Sink) -> None:
    """The sizing's findings (E301-E304, W303), with where the endpoints come from."""
    speed = min(endpoints.speeds_bps)
    notes = [f"{endpoints.total:,} endpoints: {endpoints.describe()}"]
    if len(endpoints.speeds_bps) > 1:
        listed = ", ".join(f"{s / 1e9:g}" for s in sorted(endpoints.speeds_bps))
        notes.append(f"NIC speeds {listed} Gb/s: sized at the slowest, {speed / 1e9:g} Gb/s")
    for issue in plan.issues:
        report = sink.warning if issue.severity == "warning" else sink.error
        report(
            codes.CODES[issue.code],
            issue.message,
            fabric.span,
            notes=tuple(notes),
            help=issue.help or None,
        )


def _report_single_points(
    fabric: Fabric, plan: FabricPlan, analysis: TopologyAnalysis, sink: Sink
) -> None:
    """W302 for each switch class one switch of which splits the switch fabric."""
    for spof in analysis.single_points_of_failure:
        share = spof.endpoints_affected / plan.endpoints if plan.endpoints else 0.0
        sink.warning(
            codes.W302,
            f"fabric {fabric.name!r}: one {spof.switch_class} switch is a single point of "
            f"failure ({spof.reason}); losing it cuts off {spof.endpoints_affected:,} "
            f"endpoints ({share:.0%} of the fabric)",
            fabric.span,
            help=(
                "use tiers = 2 so endpoints reach each other through more than one switch"
                if spof.switch_class == "leaf"
                else f"spread the leaf uplinks over at least two {spof.switch_class} switches "
                "(a larger fabric or a smaller switch), so one failure costs bandwidth, "
                "not connectivity"
            ),
        )


def _fabric_report(
    design: Design,
    fabric: Fabric,
    endpoints: Endpoints,
    plan: FabricPlan,
    analysis: TopologyAnalysis,
    optics: OpticsChoice,
) -> rp.FabricReport:
    """The fabric's section of the report."""
    gpus_per_endpoint = endpoints.gpus / endpoints.total
    failures = [
        rp.Failure(
            part=f"{impact.switch_class} switch",
            gpus_affected=min(
                endpoints.gpus, math.ceil(impact.endpoints_cut_off * gpus_per_endpoint - 1e-9)
            ),
            note=f"bisection -{impact.bisection_lost_share * 100:.3g}%",
        )
        for impact in analysis.failures
    ]
    leaf = design.components.switches[fabric.leaf]
    return rp.FabricReport(
        name=fabric.name,
        technology=fabric.technology or leaf.technology,
        topology=fabric.topology,
        endpoints=plan.endpoints,
        endpoint_speed_bps=min(endpoints.speeds_bps),
        rails=plan.rails,
        tiers=plan.tiers,
        switches=rp.TierCounts(
            leaf=plan.switches.leaf, spine=plan.switches.spine, core=plan.switches.core
        ),
        declared_switches=dict(plan.declared_switches),
        links=rp.LinkCounts(
            endpoint_leaf=plan.links.endpoint_leaf,
            leaf_spine=plan.links.leaf_spine,
            spine_core=plan.links.spine_core,
        ),
        transceivers=plan.transceivers.total,
        transceiver=optics.part.name if optics.part else None,
        cables=plan.cables,
        bisection_bps=plan.bisection_bps,
        bandwidth_per_endpoint_bps=plan.bandwidth_per_endpoint_bps,
        oversubscription=plan.oversubscription,
        max_hops=plan.max_switch_hops,
        switch_power_w=plan.switch_power_w,
        optics_power_w=plan.optics_power_w,
        failures=failures,
        endpoints_by_hall=dict(sorted(_endpoint_halls(endpoints).items())),
        single_homed_endpoints=analysis.single_homed_endpoints,
        mean_hops=round(analysis.hops.mean_switch_hops, 6),
    )


def _check_oversubscription(
    inp: FabricInput, plan: FabricPlan, fabric: Fabric, assumptions: Assumptions, sink: Sink
) -> None:
    ratio = max(inp.oversubscription, plan.leaf_oversubscription)
    if ratio <= 1 + 1e-9 or plan.tiers < 2:
        return
    from aiflang.records import replace

    full = plan_fabric(replace(inp, oversubscription=1.0, declared_switches={}), assumptions)
    why = (
        "`training = true`"
        if fabric.training
        else "it is the compute fabric of a design that trains"
    )
    sink.warning(
        codes.W301,
        f"fabric {fabric.name!r} carries training traffic at {ratio:.3g}:1 oversubscription; "
        f"each endpoint gets {plan.bandwidth_per_endpoint_bps / 1e9:.3g} of "
        f"{plan.link_speed_bps / 1e9:g} Gb/s across the bisection",
        fabric.span,
        notes=(f"treated as a training fabric because {why}",),
        help=(
            f"use oversubscription = 1:1: {full.switches.leaf:,} leaf and "
            f"{full.switches.spine:,} spine switches"
            + (f" and {full.switches.core:,} core" if full.switches.core else "")
            + f" instead of {plan.switches.leaf:,} and {plan.switches.spine:,}"
            + (f" and {plan.switches.core:,}" if plan.switches.core else "")
        ),
    )


def _assign_to_halls(
    plan: FabricPlan, inp: FabricInput, spine_hall: str, assumptions: Assumptions, facts: Facts
) -> None:
    """Switch and optics power, and switch rack units, into the halls that hold them."""
    leaf_model = inp.leaf
    spine_model = inp.spine or leaf_model
    core_model = inp.core or spine_model
    from aiflang.models.fabric import switch_power_w

    default_height = assumptions.value("network_switch_default_height_m")
    usable = assumptions.value("network_rack_usable_height_m")
    power: dict[str, float] = {}
    height: dict[str, float] = {}
    # Link ends decide where optics sit: an endpoint link has both its ends in the
    # endpoint's hall; a leaf-spine link one end at each; a spine-core link both upstairs.
    ends: dict[str, float] = {}
    nic_modules: dict[str, float] = {}
    for group in plan.leaf_groups:
        hall = group.hall or spine_hall
        power[hall] = power.get(hall, 0.0) + group.count * switch_power_w(leaf_model, assumptions)
        height[hall] = height.get(hall, 0.0) + group.count * (leaf_model.height_m or default_height)
        hall_endpoints = group.count * group.endpoints_per_leaf
        ends[hall] = ends.get(hall, 0.0) + hall_endpoints + group.count * plan.leaf_uplinks
        nic_modules[hall] = nic_modules.get(hall, 0.0) + hall_endpoints
    upper = plan.switches.spine * switch_power_w(spine_model, assumptions)
    upper += plan.switches.core * switch_power_w(core_model, assumptions)
    power[spine_hall] = power.get(spine_hall, 0.0) + upper
    height[spine_hall] = (
        height.get(spine_hall, 0.0)
        + plan.switches.spine * (spine_model.height_m or default_height)
        + plan.switches.core * (core_model.height_m or default_height)
    )
    ends[spine_hall] = ends.get(spine_hall, 0.0) + plan.links.leaf_spine + 2 * plan.links.spine_core
    nic_w = assumptions.value("fabric_nic_transceiver_power_w")
    switch_optics_w = plan.optics_power_w - plan.transceivers.nic_side * nic_w
    total_ends = sum(ends.values())
    for hall in sorted(set(power) | set(ends)):
        share = ends.get(hall, 0.0) / total_ends if total_ends else 0.0
        optics = switch_optics_w * share + nic_modules.get(hall, 0.0) * nic_w
        facts.network_power_by_hall_w[hall] = (
            facts.network_power_by_hall_w.get(hall, 0.0) + power.get(hall, 0.0) + optics
        )
    for hall, metres in height.items():
        racks = math.ceil(metres / usable - 1e-9)
        facts.network_racks_by_hall[hall] = facts.network_racks_by_hall.get(hall, 0) + racks
    _count_by_hall(plan, spine_hall, ends, nic_modules, facts)


def _count_by_hall(
    plan: FabricPlan,
    spine_hall: str,
    ends: dict[str, float],
    nic_modules: dict[str, float],
    facts: Facts,
) -> None:
    """Switches and optics of the fabric by hall, in whole parts that add up to its totals."""
    leaves: dict[str, int] = {}
    for group in plan.leaf_groups:
        hall = group.hall or spine_hall
        leaves[hall] = leaves.get(hall, 0) + group.count
    facts.switches_by_hall[plan.name] = {
        "leaf": leaves,
        "spine": {spine_hall: plan.switches.spine} if plan.switches.spine else {},
        "core": {spine_hall: plan.switches.core} if plan.switches.core else {},
    }
    # Copper cables have no module at the NIC end: the switch side counts the cables.
    nic_side = (
        {hall: round(count) for hall, count in nic_modules.items()}
        if plan.transceivers.nic_side
        else {}
    )
    total_ends = sum(ends.values())
    switch_side = _apportion(
        plan.transceivers.switch_side,
        {hall: e / total_ends for hall, e in ends.items()} if total_ends else {},
    )
    optics = {
        hall: nic_side.get(hall, 0) + switch_side.get(hall, 0)
        for hall in sorted(set(nic_side) | set(switch_side))
    }
    facts.transceivers_by_hall[plan.name] = {h: n for h, n in optics.items() if n}


def _apportion(total: int, shares: dict[str, float]) -> dict[str, int]:
    """`total` whole parts split by `shares` (largest remainder), adding up to `total`."""
    if not shares or total <= 0:
        return {}
    exact = {hall: total * share for hall, share in shares.items()}
    whole = {hall: math.floor(value) for hall, value in exact.items()}
    left = total - sum(whole.values())
    by_remainder = sorted(exact, key=lambda hall: (-(exact[hall] - whole[hall]), hall))
    for hall in by_remainder[:left]:
        whole[hall] += 1
    return whole
