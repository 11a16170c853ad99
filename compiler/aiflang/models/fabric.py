"""Fabric sizing: folded-Clos (fat-tree and rail-optimized) arithmetic.

`plan_fabric(FabricInput) -> FabricPlan` sizes a 1-, 2- or 3-tier folded
Clos the way the NVIDIA DGX SuperPOD reference architectures do, and never
raises for a design error: what is wrong is returned as `SizingIssue`s
(E301, E302, E303, E304, W303) and the caller turns them into diagnostics.

What a plan guarantees (see docs/models.md for the derivations):

- Links. Every link runs at the fabric's link speed: the endpoint speed,
  served by a switch port or by one logical port of a broken-out port
  (an 800 Gb/s port split two ways serves two 400 Gb/s NICs). The effective
  radix of a switch is its number of logical ports at that speed.
- Leaves. A leaf of effective radix P at o:1 has floor(P*o/(o+1)) downlinks;
  the rest are uplinks. Leaves = ceil(endpoints / downlinks), per rail for a
  rail-optimized fabric (every rail gets the same number of leaves) and per
  hall when the fabric spans halls (a leaf serves one hall). Endpoints are
  spread as evenly as possible over the leaves of their rail.
- Balance. Every leaf reaches every spine of its group with the same number
  of links, so the spine count is the smallest divisor of the leaf uplinks
  that has ports for them all (rounded up from ceil(uplinks / P)); every
  spine reaches every core of its core group with the same number of links.
  Leaf uplinks are cabled in full even on partly filled leaves, as the
  reference architectures build whole scalable units.
- Tiers. Spines and cores are non-blocking (half down, half up on a 3-tier
  spine), so oversubscription lives at the leaf only. A 2-tier fabric
  serves at most P_spine leaves (P^2/2 endpoints at 1:1), a 3-tier one
  P_core pods of P_spine/2 leaves (P^3/4 endpoints at 1:1).
- Bisection. Half the narrowest tier: each leaf carries min(its endpoints,
  its uplinks) links across the cut, so bisection = link speed x sum over
  leaves of min(endpoints, uplinks) / 2. Spines and cores are never the
  narrowest tier by construction.

Constants (registered assumptions, overridable per design):
`fabric_switch_transceiver_links`, `fabric_switch_transceiver_power_w`,
`fabric_nic_transceiver_power_w`, `fabric_switch_power_per_bps`.
"""

from __future__ import annotations

import math
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import field, record

Topology = Literal["fat_tree", "rail_optimized"]
SwitchClass = Literal["leaf", "spine", "core"]
SWITCH_CLASSES: tuple[SwitchClass, ...] = ("leaf", "spine", "core")
MAX_TIERS = 3


@record
class SwitchModel:
    """A switch as the sizing needs it.

    `ports` physical ports of `port_speed_bps` each; one port may split into
    `breakout_ways` logical ports of `port_speed_bps / breakout_ways` each
    (any split into k ports with k dividing `breakout_ways` is allowed).
    `power_w` (without optics), `height_m` and `price_usd` are optional.
    """

    name: str
    ports: int
    port_speed_bps: float
    breakout_ways: int = 1
    power_w: float | None = None
    height_m: float | None = None
    price_usd: float | None = None
    co_packaged_optics: bool = False  # its ports need no pluggable module; its power has them

    def __post_init__(self) -> None:
        # Non-positive figures are rejected (with a span) by elaboration; here they are bugs.
        if self.ports < 1 or self.port_speed_bps <= 0 or self.breakout_ways < 1:
            raise ValueError(f"switch {self.name!r}: ports, speed and breakout must be positive")

    @property
    def capacity_bps(self) -> float:
        return self.ports * self.port_speed_bps


@record
class FabricInput:
    """One fabric to size.

    `endpoints` is the number of NIC ports of the fabric's role, each of
    `endpoint_speed_bps`. `rails` is the number of such ports per node for a
    rail-optimized fabric (8 on a DGX H100); it is ignored for a fat tree.
    `oversubscription` is o for o:1 at the leaf. `tiers` None means the
    fewest tiers that serve the endpoints. `spine` and `core` default to the
    leaf switch. `declared_switches` holds counts the design declares
    (keys "leaf", "spine", "core"); `halls` the endpoints in each hall when
    the fabric spans halls (they must add up to `endpoints`).
    """

    name: str
    topology: Topology
    endpoints: int
    endpoint_speed_bps: float
    leaf: SwitchModel
    rails: int = 1
    nodes: int | None = None
    oversubscription: float = 1.0
    tiers: int | None = None
    spine: SwitchModel | None = None
    core: SwitchModel | None = None
    declared_switches: dict[str, int] = field(default_factory=dict)
    halls: dict[str, int] = field(default_factory=dict)
    copper_cables: bool = False  # links are copper cables (one part per cable), not optics

    def __post_init__(self) -> None:
        if self.endpoint_speed_bps <= 0 or self.oversubscription <= 0 or self.rails < 1:
            raise ValueError(f"fabric {self.name!r}: speed, oversubscription, rails must be > 0")
        if self.tiers is not None and not 1 <= self.tiers <= MAX_TIERS:
            raise ValueError(f"fabric {self.name!r}: tiers must be 1, 2 or 3")
        if self.halls and sum(self.halls.values()) != self.endpoints:
            raise ValueError(f"fabric {self.name!r}: endpoints per hall do not add up")


@record
class SizingIssue:
    """A finding about a fabric: `code` from the registry in aiflang.diagnostics.codes."""

    code: str
    message: str
    help: str = ""

    @property
    def severity(self) -> Literal["error", "warning"]:
        return "warning" if self.code.startswith("W") else "error"


@record
class TierCounts:
    leaf: int = 0
    spine: int = 0
    core: int = 0

    @property
    def total(self) -> int:
        return self.leaf + self.spine + self.core

    def get(self, switch_class: str) -> int:
        return int(getattr(self, switch_class))


@record
class LinkCounts:
    endpoint_leaf: int = 0
    leaf_spine: int = 0
    spine_core: int = 0

    @property
    def total(self) -> int:
        return self.endpoint_leaf + self.leaf_spine + self.spine_core


@record
class LeafGroup:
    """`count` leaves in `hall`, each serving `endpoints_per_leaf` endpoints."""

    count: int
    endpoints_per_leaf: int
    hall: str = ""


@record
class Transceivers:
    """Optics: `switch_side` modules (each carries `links_per_switch_module` link
    ends), `nic_side` modules (one per endpoint link)."""

    switch_side: int = 0
    nic_side: int = 0
    links_per_switch_module: int = 2

    @property
    def total(self) -> int:
        return self.switch_side + self.nic_side


@record
class FabricPlan:
    """The sized fabric: its bill of materials and closed-form figures.

    Radix figures are effective (logical ports at `link_speed_bps`).
    `pods` is the number of leaf groups (each fully meshed with its own
    `spines_per_pod` spines); a 1- or 2-tier fabric is one pod.
    `core_groups` x `cores_per_group` cores; core group j joins spine j of
    every pod. `links_leaf_to_spine` links join each leaf to each spine of
    its pod, `links_spine_to_core` each spine to each core of its group.
    """

    name: str
    topology: Topology
    tiers: int
    endpoints: int
    link_speed_bps: float
    rails: int
    oversubscription: float
    leaf_radix: int
    spine_radix: int
    core_radix: int
    leaf_downlinks: int
    leaf_uplinks: int
    spine_downlinks: int
    spine_uplinks: int
    leaves_per_rail: int
    leaf_groups: tuple[LeafGroup, ...]
    pods: int
    leaves_per_pod: int
    spines_per_pod: int
    core_groups: int
    cores_per_group: int
    links_leaf_to_spine: int
    links_spine_to_core: int
    switches: TierCounts
    links: LinkCounts
    transceivers: Transceivers
    bisection_bps: float
    bandwidth_per_endpoint_bps: float
    max_switch_hops: int
    max_endpoints: int
    switch_power_w: float
    optics_power_w: float
    declared_switches: dict[str, int] = field(default_factory=dict)
    issues: tuple[SizingIssue, ...] = ()

    @property
    def leaf_oversubscription(self) -> float:
        """Downlinks per uplink at a leaf (the built ratio, o:1 rounded to ports)."""
        return self.leaf_downlinks / self.leaf_uplinks if self.leaf_uplinks else 0.0

    @property
    def cables(self) -> int:
        """One cable per link, as the reference architectures count them."""
        return self.links.total

    @property
    def usable_leaf_uplinks(self) -> int:
        """Links that can carry traffic across the bisection: sum of min(endpoints, uplinks)."""
        if self.tiers == 1:
            return self.endpoints
        return sum(g.count * min(g.endpoints_per_leaf, self.leaf_uplinks) for g in self.leaf_groups)

    @property
    def max_endpoints_per_leaf(self) -> int:
        return max((g.endpoints_per_leaf for g in self.leaf_groups), default=0)


def effective_radix(switch: SwitchModel, link_speed_bps: float) -> tuple[int, bool]:
    """Logical ports of `switch` at `link_speed_bps`, and whether the speed fits.

    A port serves the speed itself, or k logical ports after a k-way breakout
    (k dividing `breakout_ways`). Otherwise the link runs on a whole port at
    the slower of the two speeds, and the second value is False (E302).
    """
    if math.isclose(switch.port_speed_bps, link_speed_bps, rel_tol=1e-9):
        return switch.ports, True
    ways = switch.port_speed_bps / link_speed_bps
    split = round(ways)
    if split >= 2 and math.isclose(ways, split, rel_tol=1e-9) and switch.breakout_ways % split == 0:
        return switch.ports * split, True
    return switch.ports, False


def leaf_downlinks_for(radix: int, oversubscription: float) -> int:
    """Downlinks of a leaf of `radix` ports at o:1: floor(P*o/(o+1)), at most P-1."""
    downlinks = math.floor(radix * oversubscription / (oversubscription + 1) + 1e-9)
    return max(1, min(downlinks, radix - 1)) if radix > 1 else radix


def smallest_divisor_at_least(value: int, floor: int) -> int | None:
    """The smallest divisor of `value` that is >= `floor`, or None."""
    for candidate in range(max(1, floor), value + 1):
        if value % candidate == 0:
            return candidate
    return None


def _balanced_spine_uplinks(needed: int, most: int, pods: int, core_radix: int) -> tuple[int, int]:
    """(uplinks per spine, cores per group) with the fewest cores, then the fewest uplinks.

    Every spine of a group reaches every core of the group with the same number
    of links, so the cores per group must divide the spine's uplinks, and the
    cores must have ports for all `pods` spines' uplinks.
    """
    best: tuple[int, int] | None = None
    for uplinks in range(needed, most + 1):
        fewest = math.ceil(pods * uplinks / core_radix)
        cores = smallest_divisor_at_least(uplinks, fewest) or fewest
        if best is None or cores < best[1]:
            best = (uplinks, cores)
        if cores == fewest:
            break  # more uplinks can only need more cores
    assert best is not None
    return best


def max_leaves(tiers: int, spine_radix: int, core_radix: int) -> int:
    """Leaves a balanced fabric of `tiers` can join: P_spine (2), P_core x P_spine/2 (3)."""
    if tiers == 2:
        return spine_radix
    return core_radix * (spine_radix // 2)


def _rail_leaf_loads(
    endpoints: int, rails: int, leaf_downlinks: int
) -> tuple[int, tuple[tuple[int, int], ...]]:
    """Leaves per rail and (endpoints per leaf, leaves), heaviest first, for one hall."""
    base, extra_rails = divmod(endpoints, rails)
    busiest_rail = base + (1 if extra_rails else 0)
    leaves_per_rail = max(1, math.ceil(busiest_rail / leaf_downlinks))
    loads: dict[int, int] = {}
    for rail_endpoints, rail_count in ((base + 1, extra_rails), (base, rails - extra_rails)):
        if rail_count == 0:
            continue
        per_leaf, heavier = divmod(rail_endpoints, leaves_per_rail)
        for load, count in ((per_leaf + 1, heavier), (per_leaf, leaves_per_rail - heavier)):
            if count:
                loads[load] = loads.get(load, 0) + count * rail_count
    return leaves_per_rail, tuple(sorted(loads.items(), reverse=True))


def _capacity_help(inp: FabricInput, tiers: int, radix: int, served: int) -> str:
    ratio = f"{inp.oversubscription:g}:1"
    needed = radix
    while needed < 100_000:
        needed += 2
        downlinks = leaf_downlinks_for(needed, inp.oversubscription)
        if max_leaves(tiers, needed, needed) * downlinks >= inp.endpoints:
            break
    more = " or use tiers = 3" if tiers < MAX_TIERS else ""
    return (
        f"a {tiers}-tier {inp.topology.replace('_', ' ')} of {radix}-port switches serves at "
        f"most {served:,} endpoints at {ratio}; this fabric has {inp.endpoints:,}: "
        f"use a switch with at least {needed} ports at this speed{more}"
    )


# How many fewer leaf downlinks than the ratio allows `plan_fabric` tries.
DOWNLINK_SEARCH = 16


def plan_fabric(inp: FabricInput, assumptions: Assumptions | None = None) -> FabricPlan:
    """Size `inp` as a balanced folded Clos; findings go in `FabricPlan.issues`.

    A leaf takes as many downlinks as the oversubscription allows, unless
    giving up a few (up to DOWNLINK_SEARCH) builds the fabric from fewer
    switches: balance rounds spine counts up to divisors of the leaf uplinks,
    so 85 down / 43 up (43 is prime) can cost far more spines than 84 / 44.
    A leaf with fewer downlinks is never more oversubscribed than asked.
    """
    assumptions = assumptions or Assumptions()
    # The search compares totals only, so its candidates are planned without the
    # per-hall leaf groups (one pass over the halls each, not one per group); the
    # winner is planned again in full.
    best = _plan(inp, assumptions, None, by_hall=False)
    if best.tiers == 1:
        return _plan(inp, assumptions, None)
    errors = sum(1 for issue in best.issues if issue.code.startswith("E"))
    most = best.leaf_downlinks
    chosen: int | None = None
    for downlinks in range(most - 1, max(most - DOWNLINK_SEARCH, most // 2, 0) - 1, -1):
        candidate = _plan(inp, assumptions, downlinks, by_hall=False)
        if sum(1 for issue in candidate.issues if issue.code.startswith("E")) > errors:
            continue
        if candidate.switches.total < best.switches.total:
            best, chosen = candidate, downlinks
    return _plan(inp, assumptions, chosen)


@record
class _Radixes:
    """The switch models of each tier and their logical ports at the link speed."""

    link_speed_bps: float
    spine_model: SwitchModel
    core_model: SwitchModel
    leaf: int
    spine: int
    core: int
    spine_fits: bool
    core_fits: bool


@record
class _UpperTiers:
    """Spines and cores: how the pods and groups are built above the leaves."""

    spine_downlinks: int
    spine_uplinks: int
    pods: int
    leaves_per_pod: int
    spines_per_pod: int
    core_groups: int
    cores_per_group: int


def _plan(
    inp: FabricInput, assumptions: Assumptions, downlinks: int | None, *, by_hall: bool = True
) -> FabricPlan:
    """One sizing of `inp`, with `downlinks` per leaf (None: as many as o:1 allows).

    With `by_hall` False the leaf groups are merged across halls (same counts,
    links, bisection and power; `leaf_groups` then name no hall).
    """
    issues: list[SizingIssue] = []
    radix = _radixes(inp, issues)
    rails = inp.rails if inp.topology == "rail_optimized" else 1
    halls = inp.halls or {"": inp.endpoints}
    if inp.endpoints <= 0:
        issues.append(
            SizingIssue(
                "E303",
                f"fabric {inp.name!r} connects no endpoints",
                "give a node NICs of the role this fabric connects, or remove the fabric",
            )
        )
    tiers = inp.tiers
    if tiers is None:
        tiers = _fewest_tiers(inp, halls, rails, radix.leaf, radix.spine, radix.core)
    if tiers == 1 or not _tiers_can_join(inp, tiers, radix, issues):
        if tiers == 1 and (inp.endpoints > radix.leaf or len([h for h in halls.values() if h]) > 1):
            issues.append(
                SizingIssue(
                    "E301",
                    f"one {inp.leaf.name} has {radix.leaf} ports at this speed; fabric "
                    f"{inp.name!r} has {inp.endpoints:,} endpoints",
                    f"use tiers = 2 or a switch with at least {inp.endpoints} ports",
                )
            )
        return _single_switch_plan(inp, radix.leaf, radix.link_speed_bps, issues, assumptions)
    if not radix.spine_fits and radix.spine_model != inp.leaf:
        issues.append(_speed_issue(inp, radix.spine_model))
    if (
        tiers == 3
        and not radix.core_fits
        and radix.core_model
        not in (
            inp.leaf,
            radix.spine_model,
        )
    ):
        issues.append(_speed_issue(inp, radix.core_model))

    leaf_downlinks = downlinks or leaf_downlinks_for(radix.leaf, inp.oversubscription)
    leaf_uplinks = radix.leaf - leaf_downlinks
    leaves_per_rail, groups = _place_leaves(halls, rails, leaf_downlinks, by_hall)
    leaves = sum(g.count for g in groups)
    capacity_leaves = max_leaves(tiers, radix.spine, radix.core)
    if leaves > capacity_leaves:
        issues.append(
            SizingIssue(
                "E301",
                f"fabric {inp.name!r} needs {leaves:,} leaves; {tiers} tiers of "
                f"{radix.spine_model.name} join at most {capacity_leaves:,}",
                _capacity_help(inp, tiers, radix.leaf, capacity_leaves * leaf_downlinks),
            )
        )
    upper = _upper_tiers(tiers, leaves, leaf_uplinks, radix)
    return _assemble(
        inp,
        assumptions,
        radix,
        tiers,
        rails,
        leaf_downlinks,
        leaves_per_rail,
        groups,
        upper,
        capacity_leaves * leaf_downlinks,
        issues,
    )


def _radixes(inp: FabricInput, issues: list[SizingIssue]) -> _Radixes:
    """Each tier's logical ports at the link speed; E302 when the leaf cannot serve it."""
    spine_model = inp.spine or inp.leaf
    core_model = inp.core or spine_model
    leaf_radix, leaf_fits = effective_radix(inp.leaf, inp.endpoint_speed_bps)
    link_speed = min(inp.endpoint_speed_bps, inp.leaf.port_speed_bps)
    if not leaf_fits:
        issues.append(_speed_issue(inp, inp.leaf))
    spine_radix, spine_fits = effective_radix(spine_model, link_speed)
    core_radix, core_fits = effective_radix(core_model, link_speed)
    return _Radixes(
        link_speed,
        spine_model,
        core_model,
        leaf_radix,
        spine_radix,
        core_radix,
        spine_fits,
        core_fits,
    )


def _tiers_can_join(
    inp: FabricInput, tiers: int, radix: _Radixes, issues: list[SizingIssue]
) -> bool:
    """A leaf needs a port down and a port up; a spine of three tiers splits its ports."""
    if radix.leaf >= 2 and not (tiers == 3 and radix.spine < 2):
        return True
    switch, ports = (inp.leaf, radix.leaf) if radix.leaf < 2 else (radix.spine_model, radix.spine)
    issues.append(
        SizingIssue(
            "E301",
            f"one {switch.name} has {ports} port at this speed: too few to join "
            f"switches in {tiers} tiers (fabric {inp.name!r})",
            "use a switch with at least 2 ports at this speed",
        )
    )
    return False


def _place_leaves(
    halls: dict[str, int], rails: int, leaf_downlinks: int, by_hall: bool = True
) -> tuple[int, list[LeafGroup]]:
    """Leaves per rail (summed over halls) and the leaf groups, hall by hall.

    Halls of the same size are placed alike, so each size is worked out once.
    Without `by_hall`, groups of the same load are merged across halls.
    """
    leaves_per_rail = 0
    groups: list[LeafGroup] = []
    merged: dict[int, int] = {}
    shapes: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}
    for hall, hall_endpoints in halls.items():
        if hall_endpoints <= 0:
            continue
        shape = shapes.get(hall_endpoints)
        if shape is None:
            shape = shapes[hall_endpoints] = _rail_leaf_loads(hall_endpoints, rails, leaf_downlinks)
        per_rail, loads = shape
        leaves_per_rail += per_rail
        if by_hall:
            groups.extend(LeafGroup(count, load, hall) for load, count in loads)
        else:
            for load, count in loads:
                merged[load] = merged.get(load, 0) + count
    if not by_hall:
        groups = [LeafGroup(count, load) for load, count in sorted(merged.items(), reverse=True)]
    return leaves_per_rail, groups


def _upper_tiers(tiers: int, leaves: int, leaf_uplinks: int, radix: _Radixes) -> _UpperTiers:
    """Spines per pod and cores per group, each balanced on the links below it."""
    if tiers == 2:
        fewest_spines = math.ceil(leaves * leaf_uplinks / radix.spine)
        spines_per_pod = smallest_divisor_at_least(leaf_uplinks, fewest_spines) or fewest_spines
        return _UpperTiers(radix.spine, 0, 1, leaves, spines_per_pod, 0, 0)
    spine_downlinks = radix.spine // 2
    pods = max(1, math.ceil(leaves / spine_downlinks))
    leaves_per_pod = math.ceil(leaves / pods)
    fewest_spines = math.ceil(leaves_per_pod * leaf_uplinks / spine_downlinks)
    spines_per_pod = smallest_divisor_at_least(leaf_uplinks, fewest_spines) or fewest_spines
    # A spine carries up at least what its pod's leaves bring down (1:1 above the
    # leaf), and at most half its ports. Among those uplink counts, take the one
    # that balances onto the fewest cores: the count the leaves need may have no
    # convenient divisor (143 = 11 x 13), while one more uplink (144) has many.
    needed_uplinks = leaves_per_pod * max(1, leaf_uplinks // spines_per_pod)
    spine_uplinks, cores_per_group = _balanced_spine_uplinks(
        needed_uplinks, max(needed_uplinks, radix.spine // 2), pods, radix.core
    )
    return _UpperTiers(
        spine_downlinks,
        spine_uplinks,
        pods,
        leaves_per_pod,
        spines_per_pod,
        spines_per_pod,
        cores_per_group,
    )


def _assemble(
    inp: FabricInput,
    assumptions: Assumptions,
    radix: _Radixes,
    tiers: int,
    rails: int,
    leaf_downlinks: int,
    leaves_per_rail: int,
    groups: list[LeafGroup],
    upper: _UpperTiers,
    max_endpoints: int,
    issues: list[SizingIssue],
) -> FabricPlan:
    """Counts, links, optics, bisection and power of the sized fabric."""
    leaf_uplinks = radix.leaf - leaf_downlinks
    leaves = sum(g.count for g in groups)
    links_leaf_to_spine = max(1, leaf_uplinks // upper.spines_per_pod)
    links_spine_to_core = (
        upper.spine_uplinks // upper.cores_per_group if upper.cores_per_group else 0
    )
    spines = upper.pods * upper.spines_per_pod
    switches = TierCounts(leaves, spines, upper.core_groups * upper.cores_per_group)
    links = LinkCounts(inp.endpoints, leaves * leaf_uplinks, spines * upper.spine_uplinks)
    usable = sum(g.count * min(g.endpoints_per_leaf, leaf_uplinks) for g in groups)
    link_speed = radix.link_speed_bps
    issues.extend(_declared_issues(inp, switches))
    return FabricPlan(
        name=inp.name,
        topology=inp.topology,
        tiers=tiers,
        endpoints=inp.endpoints,
        link_speed_bps=link_speed,
        rails=rails,
        oversubscription=inp.oversubscription,
        leaf_radix=radix.leaf,
        spine_radix=radix.spine,
        core_radix=radix.core if tiers == 3 else 0,
        leaf_downlinks=leaf_downlinks,
        leaf_uplinks=leaf_uplinks,
        spine_downlinks=upper.spine_downlinks,
        spine_uplinks=upper.spine_uplinks,
        leaves_per_rail=leaves_per_rail,
        leaf_groups=tuple(groups),
        pods=upper.pods,
        leaves_per_pod=upper.leaves_per_pod,
        spines_per_pod=upper.spines_per_pod,
        core_groups=upper.core_groups,
        cores_per_group=upper.cores_per_group,
        links_leaf_to_spine=links_leaf_to_spine,
        links_spine_to_core=links_spine_to_core,
        switches=switches,
        links=links,
        transceivers=_transceivers(links, assumptions, inp),
        bisection_bps=usable * link_speed / 2,
        bandwidth_per_endpoint_bps=usable * link_speed / inp.endpoints if inp.endpoints else 0.0,
        max_switch_hops=2 * tiers - 1,
        max_endpoints=max_endpoints,
        switch_power_w=_switch_power(
            switches, inp.leaf, radix.spine_model, radix.core_model, assumptions
        ),
        optics_power_w=_optics_power(_transceivers(links, assumptions, inp), assumptions, inp),
        declared_switches=dict(inp.declared_switches),
        issues=tuple(issues),
    )


def _fewest_tiers(
    inp: FabricInput,
    halls: dict[str, int],
    rails: int,
    leaf_radix: int,
    spine_radix: int,
    core_radix: int,
) -> int:
    if inp.endpoints <= leaf_radix and len([h for h in halls.values() if h]) <= 1:
        return 1
    leaf_downlinks = leaf_downlinks_for(leaf_radix, inp.oversubscription)
    sizes: dict[int, int] = {}
    for count in halls.values():
        if count > 0:
            sizes[count] = sizes.get(count, 0) + 1
    leaves = sum(
        halls_of_size * rails * max(1, math.ceil(math.ceil(count / rails) / leaf_downlinks))
        for count, halls_of_size in sizes.items()
    )
    if leaves <= max_leaves(2, spine_radix, core_radix):
        return 2
    return 3


def _speed_issue(inp: FabricInput, switch: SwitchModel) -> SizingIssue:
    nic = _gbps(inp.endpoint_speed_bps)
    port = _gbps(switch.port_speed_bps)
    if inp.endpoint_speed_bps < switch.port_speed_bps:
        split = switch.port_speed_bps / inp.endpoint_speed_bps
        need = f"a {split:g}-way breakout" if split == round(split) else "a matching port speed"
        help_text = (
            f"{switch.name} splits a port at most {switch.breakout_ways} ways; {nic} NICs on "
            f"{port} ports need {need}: use a switch with {nic} ports or that breakout"
        )
    else:
        help_text = (
            f"{nic} NICs on {port} ports run at {port}: use a switch with {nic} ports "
            f"or NICs of {port}"
        )
    return SizingIssue(
        "E302",
        f"fabric {inp.name!r}: {nic} endpoints on {switch.name} ports of {port} "
        f"with no breakout to {nic}",
        help_text,
    )


def _gbps(bps: float) -> str:
    return f"{bps / 1e9:g} Gb/s"


def _declared_issues(inp: FabricInput, switches: TierCounts) -> list[SizingIssue]:
    issues = []
    for switch_class, declared in inp.declared_switches.items():
        needed = switches.get(switch_class)
        if declared < needed:
            issues.append(
                SizingIssue(
                    "E304",
                    f"fabric {inp.name!r} declares {declared:,} {switch_class} switches; "
                    f"it needs {needed:,}",
                    f"declare {switch_class} = {needed:,} or leave it out to derive it",
                )
            )
        elif declared > needed:
            issues.append(
                SizingIssue(
                    "W303",
                    f"fabric {inp.name!r} declares {declared:,} {switch_class} switches; "
                    f"it needs {needed:,}, so {declared - needed:,} are spare",
                )
            )
    return issues


def _transceivers(links: LinkCounts, assumptions: Assumptions, inp: FabricInput) -> Transceivers:
    """Modules at the switch ends (none at co-packaged-optics switches) and at the NICs.

    With copper cables there are no modules: `switch_side` counts the cables,
    each carrying `links_per_switch_module` links end to end.
    """
    per_module = max(1, int(assumptions.value("fabric_switch_transceiver_links")))
    if inp.copper_cables:
        return Transceivers(
            switch_side=math.ceil(links.total / per_module),
            nic_side=0,
            links_per_switch_module=per_module,
        )
    leaf = inp.leaf
    spine = inp.spine or leaf
    core = inp.core or spine
    pluggable = {s.name: 0 if s.co_packaged_optics else 1 for s in (leaf, spine, core)}
    switch_ends = (
        links.endpoint_leaf * pluggable[leaf.name]
        + links.leaf_spine * (pluggable[leaf.name] + pluggable[spine.name])
        + links.spine_core * (pluggable[spine.name] + pluggable[core.name])
    )
    return Transceivers(
        switch_side=math.ceil(switch_ends / per_module),
        nic_side=links.endpoint_leaf,
        links_per_switch_module=per_module,
    )


def _optics_power(transceivers: Transceivers, assumptions: Assumptions, inp: FabricInput) -> float:
    """Module power, or for copper cables the power of both ends of every cable."""
    per_end_or_module = assumptions.value("fabric_switch_transceiver_power_w")
    if inp.copper_cables:
        return transceivers.switch_side * 2 * per_end_or_module
    return transceivers.switch_side * per_end_or_module + transceivers.nic_side * assumptions.value(
        "fabric_nic_transceiver_power_w"
    )


def switch_power_w(switch: SwitchModel, assumptions: Assumptions) -> float:
    """The switch's declared power, or the per-capacity estimate when it has none."""
    if switch.power_w is not None:
        return switch.power_w
    return switch.capacity_bps * assumptions.value("fabric_switch_power_per_bps")


def _switch_power(
    switches: TierCounts,
    leaf: SwitchModel,
    spine: SwitchModel,
    core: SwitchModel,
    assumptions: Assumptions,
) -> float:
    total = switches.leaf * switch_power_w(leaf, assumptions)
    if switches.spine:
        total += switches.spine * switch_power_w(spine, assumptions)
    if switches.core:
        total += switches.core * switch_power_w(core, assumptions)
    return total


def _single_switch_plan(
    inp: FabricInput,
    radix: int,
    link_speed: float,
    issues: list[SizingIssue],
    assumptions: Assumptions,
) -> FabricPlan:
    switches = TierCounts(leaf=1 if inp.endpoints > 0 else 0)
    links = LinkCounts(endpoint_leaf=inp.endpoints)
    transceivers = _transceivers(links, assumptions, inp)
    issues.extend(_declared_issues(inp, switches))
    return FabricPlan(
        name=inp.name,
        topology=inp.topology,
        tiers=1,
        endpoints=inp.endpoints,
        link_speed_bps=link_speed,
        rails=inp.rails if inp.topology == "rail_optimized" else 1,
        oversubscription=inp.oversubscription,
        leaf_radix=radix,
        spine_radix=0,
        core_radix=0,
        leaf_downlinks=radix,
        leaf_uplinks=0,
        spine_downlinks=0,
        spine_uplinks=0,
        leaves_per_rail=switches.leaf,
        leaf_groups=(LeafGroup(1, inp.endpoints),) if inp.endpoints > 0 else (),
        pods=switches.leaf,
        leaves_per_pod=switches.leaf,
        spines_per_pod=0,
        core_groups=0,
        cores_per_group=0,
        links_leaf_to_spine=0,
        links_spine_to_core=0,
        switches=switches,
        links=links,
        transceivers=transceivers,
        bisection_bps=inp.endpoints * link_speed / 2,
        bandwidth_per_endpoint_bps=link_speed if inp.endpoints else 0.0,
        max_switch_hops=1,
        max_endpoints=radix,
        switch_power_w=switches.leaf * switch_power_w(inp.leaf, assumptions),
        optics_power_w=_optics_power(transceivers, assumptions, inp),
        declared_switches=dict(inp.declared_switches),
        issues=tuple(issues),
    )


def fabric_derivations(plan: FabricPlan, leaf: str) -> dict[str, Derivation]:
    """The working behind a plan's figures, by their path under the fabric's report section.

    `leaf` names the leaf switch model. The formulas are those of `plan_fabric`.
    """
    found: dict[str, Derivation] = {}
    radix_inputs: dict[str, float | str] = {
        "endpoints": plan.endpoints,
        "leaf": leaf,
        "leaf_radix": plan.leaf_radix,
        "oversubscription": plan.oversubscription,
        "leaf_downlinks": plan.leaf_downlinks,
    }
    if plan.topology == "rail_optimized":
        leaf_formula = "rails x ceil(endpoints per rail / leaf_downlinks), per hall"
        radix_inputs["rails"] = plan.rails
    else:
        leaf_formula = "ceil(endpoints / leaf_downlinks), per hall"
    found["switches.leaf"] = Derivation(
        f"leaf_downlinks = floor(P x o / (o + 1)); leaves = {leaf_formula}", radix_inputs
    )
    if plan.tiers >= 2:
        found["switches.spine"] = Derivation(
            "per pod: smallest divisor of leaf_uplinks >= ceil(leaves per pod x leaf_uplinks"
            " / spine downlinks); spines = pods x spines per pod",
            {
                "leaves": plan.switches.leaf,
                "leaf_uplinks": plan.leaf_uplinks,
                "spine_radix": plan.spine_radix,
                "pods": plan.pods,
                "spines_per_pod": plan.spines_per_pod,
            },
        )
    if plan.tiers == 3:
        found["switches.core"] = Derivation(
            "core groups (one per spine of a pod) x smallest divisor of spine uplinks >= "
            "ceil(pods x spine uplinks / core radix)",
            {
                "pods": plan.pods,
                "spine_uplinks": plan.spine_uplinks,
                "core_radix": plan.core_radix,
                "core_groups": plan.core_groups,
                "cores_per_group": plan.cores_per_group,
            },
        )
    found["bisection_bps"] = Derivation(
        "link speed x sum over leaves of min(endpoints, uplinks) / 2",
        {
            "link_speed_bps": plan.link_speed_bps,
            "usable_leaf_uplinks": plan.usable_leaf_uplinks,
        },
    )
    found["transceivers"] = Derivation(
        "ceil((endpoint links + 2 x switch links) / links per switch module) + endpoint links",
        {
            "endpoint_links": plan.links.endpoint_leaf,
            "switch_links": plan.links.leaf_spine + plan.links.spine_core,
            "links_per_switch_module": plan.transceivers.links_per_switch_module,
        },
        ("fabric_switch_transceiver_links",),
    )
    found["optics_power_w"] = Derivation(
        "switch-side modules x switch module power + NIC-side modules x NIC module power",
        {
            "switch_side": plan.transceivers.switch_side,
            "nic_side": plan.transceivers.nic_side,
        },
        ("fabric_switch_transceiver_power_w", "fabric_nic_transceiver_power_w"),
    )
    found["switch_power_w"] = Derivation(
        "sum over tiers of switches x switch power (declared, else capacity x W per bit/s)",
        {
            "leaf": plan.switches.leaf,
            "spine": plan.switches.spine,
            "core": plan.switches.core,
        },
        ("fabric_switch_power_per_bps",),
    )
    return found
