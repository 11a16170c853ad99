"""Topology analysis of a sized fabric, on a quotient graph of switch classes.

`build_quotient(plan)` returns a networkx graph with one node per class
(endpoint group, leaf class, spine class, core class), whatever the scale:
counts and aggregate capacities are node and edge attributes. The analyses
here guarantee, for a `FabricPlan` from `aiflang.models.fabric`:

- connectivity of the quotient (every endpoint group reaches every other);
- bisection by max-flow between two halves of the fabric (halves aligned
  to pods in a 3-tier fabric of several pods, to leaves otherwise) on the
  split quotient (`build_split_quotient`): classes refined until every
  switch of a class has the same links to every other class (an equitable
  partition; Godsil and Royle, "Algebraic Graph Theory", section 9.3: pods
  by what they hold, spine 0 apart from the other spines and core group 0
  apart from the others when a spine or core failed), so
  the max-flow equals the expanded graph's exactly, with or without a
  failure. Capacities are integers (`flow_units`, twice the link count). A
  naive quotient (one class per tier) is only an upper bound once a switch
  fails: a spine that receives more leaf links than it keeps uplinks after
  losing a core caps the flow through it;
- switch hops between endpoints, maximum and mean over endpoint pairs;
- N-1 per switch class (a leaf, a spine, a core): endpoints cut off and
  bisection lost for the worst-placed failure, by max-flow on the split
  quotient with that switch removed, checked against the expanded graph in
  the tests;
- single points of failure of the switch fabric; single-homed endpoints
  are reported separately (every leaf is an articulation point for them).

`build_expanded(plan)` builds one node per switch and endpoint, refused
above `EXPANDED_NODE_LIMIT` nodes with `GraphTooLarge`.
networkx is imported inside functions, and `analyze_topology` leaves the
graph figures other than the N-1 failures to be computed when first read:
importing networkx costs a few hundred milliseconds, more than checking a
small design, so a design without a fabric never pays for it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

from aiflang.models.fabric import FabricPlan, SwitchClass
from aiflang.records import record

if TYPE_CHECKING:
    import networkx as nx

EXPANDED_NODE_LIMIT = 20_000
Half = Literal["A", "B"]
HALVES: tuple[Half, ...] = ("A", "B")
SOURCE, SINK = "source", "sink"


class GraphTooLarge(ValueError):
    """The expanded graph would exceed the node limit (`aifc graph --expand` exits 2)."""

    def __init__(self, nodes: int, limit: int) -> None:
        super().__init__(
            f"the expanded graph would have {nodes:,} nodes, over the limit of {limit:,}; "
            "use the quotient graph"
        )
        self.nodes = nodes
        self.limit = limit


@record
class HopCounts:
    """Switch hops between two endpoints: the worst pair and the mean over pairs."""

    max_switch_hops: int
    mean_switch_hops: float


@record
class FailureImpact:
    """What one failed switch of `switch_class` costs, at the worst place."""

    switch_class: SwitchClass
    class_size: int
    endpoints_cut_off: int
    bisection_bps_after: float
    bisection_lost_bps: float

    @property
    def bisection_lost_share(self) -> float:
        total = self.bisection_bps_after + self.bisection_lost_bps
        return self.bisection_lost_bps / total if total else 0.0


@record
class SinglePointOfFailure:
    """A switch class one of whose switches splits the switch fabric."""

    switch_class: SwitchClass
    endpoints_affected: int
    reason: str


@record(with_dict=True)
class TopologyAnalysis:
    """The analyses of one fabric: closed forms at once, graph figures on demand.

    The figures that need the quotient graph (`connected`, the max-flow
    `bisection_bps`, `quotient_nodes`) are computed with networkx the first
    time they are read. The N-1 `failures` are computed at once, by max-flow
    on the split quotient, since the report lists them, unless the caller
    passes them in (the analyses read them from the on-disk cache when an
    earlier run stored them, and then networkx is not imported).
    """

    plan: FabricPlan
    closed_form_bisection_bps: float
    hops: HopCounts
    failures: tuple[FailureImpact, ...]
    single_points_of_failure: tuple[SinglePointOfFailure, ...]
    single_homed_endpoints: int
    max_endpoints_per_leaf: int

    @functools.cached_property
    def quotient(self) -> nx.Graph:
        return build_quotient(self.plan)

    @functools.cached_property
    def connected(self) -> bool:
        import networkx as nx

        return self.quotient.number_of_nodes() > 0 and bool(nx.is_connected(self.quotient))

    @functools.cached_property
    def bisection_bps(self) -> float:
        """Bisection by max-flow on the split quotient graph."""
        return quotient_bisection_bps(self.plan)

    @property
    def quotient_nodes(self) -> int:
        return int(self.quotient.number_of_nodes())


def _three_tier_pods(plan: FabricPlan) -> bool:
    """Whether the halves are whole pods, joined only through the cores."""
    return plan.tiers == 3 and plan.pods > 1


def build_quotient(
    plan: FabricPlan, *, split: bool = False, failed: SwitchClass | None = None
) -> nx.Graph:
    """The class graph of `plan`; with `split`, two halves A and B for the bisection.

    Node attributes: kind (endpoints, leaf, spine, core), count (switches or
    endpoints in the class), label. Edge attributes: links (in the class
    pair), capacity_bps, flow_units (2 x links, an int). With `split` the
    classes form an equitable partition of the expanded graph with the same
    halves (see `build_split_quotient`), and `failed` removes the switch
    `build_expanded` removes.
    """
    if split:
        return build_split_quotient(plan, failed=failed)
    import networkx as nx

    graph = nx.Graph(name=plan.name)
    speed = plan.link_speed_bps

    def node(node_id: str, kind: str, count: float, label: str) -> None:
        graph.add_node(node_id, kind=kind, count=count, label=label)

    def edge(a: str, b: str, links: float) -> None:
        graph.add_edge(a, b, links=links, capacity_bps=links * speed, flow_units=round(2 * links))

    if plan.tiers >= 2:
        node("spine", "spine", plan.switches.spine, f"{plan.switches.spine:,} spines")
    if plan.tiers == 3:
        node("core", "core", plan.switches.core, f"{plan.switches.core:,} cores")
        edge("spine", "core", plan.switches.spine * plan.spine_uplinks)
    for index, group in enumerate(plan.leaf_groups):
        endpoints = group.count * group.endpoints_per_leaf
        hall = f" in {group.hall}" if group.hall else ""
        leaf_id, endpoint_id = f"leaf/{index}", f"endpoints/{index}"
        node(endpoint_id, "endpoints", endpoints, f"{endpoints:g} endpoints{hall}")
        node(
            leaf_id,
            "leaf",
            group.count,
            f"{group.count:g} leaves of {group.endpoints_per_leaf} endpoints{hall}",
        )
        edge(endpoint_id, leaf_id, endpoints)
        if plan.tiers >= 2:
            edge(leaf_id, "spine", group.count * plan.leaf_uplinks)
    return graph


@record
class _PodClass:
    """Pods of one kind: `pods` of them, each with `leaves` ((half, load) -> leaves per pod)."""

    pods: int
    leaves: tuple[tuple[tuple[str, int], int], ...]
    victim: bool  # holds the failed leaf or spine


def _half_bounds(plan: FabricPlan) -> tuple[int, int]:
    """(first leaf of half B, leaves per pod): the halves `build_expanded` cuts.

    Whole pods in a 3-tier fabric of several pods (the first `pods // 2` in
    A), else the first half of the leaves.
    """
    per_pod = max(1, plan.leaves_per_pod)
    if _three_tier_pods(plan):
        return plan.pods // 2 * per_pod, per_pod
    return max(1, plan.switches.leaf) // 2, per_pod


def _victim_leaf(plan: FabricPlan, half: Half) -> int | None:
    """The first of the heaviest leaves of `half` (leaves in `plan.leaf_groups` order)."""
    boundary, _ = _half_bounds(plan)
    low, high = (0, boundary) if half == "A" else (boundary, plan.switches.leaf)
    best: tuple[int, int] | None = None  # (load, leaf index)
    index = 0
    for group in plan.leaf_groups:
        start, end = max(index, low), min(index + group.count, high)
        if start < end and (best is None or group.endpoints_per_leaf > best[0]):
            best = (group.endpoints_per_leaf, start)
        index += group.count
    return None if best is None else best[1]


def _victim_pod(plan: FabricPlan, failed: SwitchClass | None, half: Half) -> int | None:
    """The pod that holds the failed leaf or spine of `half` (None for a core or no failure)."""
    boundary, per_pod = _half_bounds(plan)
    if failed == "leaf":
        leaf = _victim_leaf(plan, half)
        return None if leaf is None else leaf // per_pod
    if failed == "spine":
        return boundary // per_pod if half == "B" and _three_tier_pods(plan) else 0
    return None


def _pod_classes(plan: FabricPlan, failed: SwitchClass | None, half: Half) -> list[_PodClass]:
    """Group the pods of `plan` by what they hold, placing leaves as `build_expanded` does.

    Leaves are numbered in `plan.leaf_groups` order and filled into pods of
    `leaves_per_pod`, split into halves by `_half_bounds`. The pod holding
    the failed leaf or spine (in `half`) is a class of its own. Work is per
    run of alike pods, never per leaf or per pod.
    """
    boundary, per_pod = _half_bounds(plan)
    runs: list[tuple[int, int, dict[tuple[str, int], int]]] = []  # first pod, pods, leaves
    index = 0
    for group in plan.leaf_groups:
        load, remaining = group.endpoints_per_leaf, group.count
        while remaining > 0:
            pod, offset = divmod(index, per_pod)
            side, room = ("A", boundary - index) if index < boundary else ("B", remaining)
            if offset == 0 and min(remaining, room) >= per_pod:
                whole = min(remaining, room) // per_pod
                runs.append((pod, whole, {(side, load): per_pod}))
                index, remaining = index + whole * per_pod, remaining - whole * per_pod
                continue
            take = min(remaining, per_pod - offset, room)
            if not runs or runs[-1][0] != pod:
                runs.append((pod, 1, {}))
            leaves = runs[-1][2]
            leaves[(side, load)] = leaves.get((side, load), 0) + take
            index, remaining = index + take, remaining - take
    victim_pod = _victim_pod(plan, failed, half)
    victim: dict[tuple[str, int], int] | None = None
    if victim_pod is not None:
        for position, (first, count, leaves) in enumerate(runs):
            if first <= victim_pod < first + count:
                runs[position : position + 1] = [
                    (first, victim_pod - first, leaves),
                    (victim_pod + 1, first + count - victim_pod - 1, leaves),
                ]
                victim = dict(leaves)
                break
    leaf = _victim_leaf(plan, half) if failed == "leaf" else None
    if victim is not None and leaf is not None:
        lost = ("A" if leaf < boundary else "B", _leaf_loads_at(plan, leaf))
        victim[lost] -= 1
        if not victim[lost]:
            del victim[lost]
    classes: dict[tuple[tuple[tuple[str, int], int], ...], int] = {}
    for _, count, leaves in runs:
        if count:
            key = tuple(sorted(leaves.items()))
            classes[key] = classes.get(key, 0) + count
    result = [_PodClass(1, tuple(sorted(victim.items())), True)] if victim is not None else []
    result.extend(_PodClass(count, key, False) for key, count in classes.items())
    return result


def _leaf_loads_at(plan: FabricPlan, leaf: int) -> int:
    """The endpoints of leaf number `leaf`."""
    index = 0
    for group in plan.leaf_groups:
        if leaf < index + group.count:
            return group.endpoints_per_leaf
        index += group.count
    raise IndexError(leaf)


def build_split_quotient(
    plan: FabricPlan, failed: SwitchClass | None = None, half: Half = "A"
) -> nx.Graph:
    """An equitable partition of the expanded graph split into halves A and B.

    Classes: per kind of pod (what leaves it holds in which half; the pod of
    a failed leaf or spine on its own, the failure placed in `half`) its
    endpoints and leaves by load, its
    spine 0 and its other spines (kept together when no spine or core
    failed); the cores of group 0 and of the other groups. Every switch of a
    class has the same number of links to every other class, so a max-flow
    on this graph (capacities summed per class pair) equals the max-flow on
    the expanded graph exactly: the quotient flow spreads evenly over each
    class, and any expanded flow sums to a quotient flow.
    """
    import networkx as nx

    graph = nx.Graph(name=plan.name)
    speed = plan.link_speed_bps
    spines, uplinks = plan.spines_per_pod, plan.links_leaf_to_spine
    split_spines = failed in ("spine", "core")

    def node(node_id: str, kind: str, count: int) -> None:
        graph.add_node(node_id, kind=kind, count=count, label=f"{count:,} {node_id}")

    def edge(a: str, b: str, links: int) -> None:
        if links > 0 and a in graph and b in graph:
            graph.add_edge(a, b, links=links, capacity_bps=links * speed, flow_units=2 * links)

    cores_0 = plan.cores_per_group - (1 if failed == "core" else 0)
    if plan.tiers == 3:
        if split_spines:
            if cores_0 > 0:
                node("cores/0", "core", cores_0)
            if spines > 1:
                node("cores/rest", "core", plan.cores_per_group * (spines - 1))
        else:
            node("cores", "core", plan.cores_per_group * spines)
    for k, pods in enumerate(_pod_classes(plan, failed, half)):
        first = 0 if pods.victim and failed == "spine" else pods.pods
        tag = f"pods{k}"
        if plan.tiers >= 2:
            if split_spines:
                if first:
                    node(f"{tag}/spine0", "spine", first)
                if spines > 1:
                    node(f"{tag}/spines", "spine", pods.pods * (spines - 1))
            else:
                node(f"{tag}/spines", "spine", pods.pods * spines)
        if plan.tiers == 3:
            per_core = plan.links_spine_to_core
            if split_spines:
                edge(f"{tag}/spine0", "cores/0", first * cores_0 * per_core)
                edge(
                    f"{tag}/spines",
                    "cores/rest",
                    pods.pods * (spines - 1) * plan.cores_per_group * per_core,
                )
            else:
                edge(f"{tag}/spines", "cores", pods.pods * spines * plan.cores_per_group * per_core)
        for (side, load), per_pod in pods.leaves:
            leaves = pods.pods * per_pod
            leaf_id, endpoint_id = f"{tag}/leaf/{load}:{side}", f"{tag}/endpoints/{load}:{side}"
            node(leaf_id, "leaf", leaves)
            node(endpoint_id, "endpoints", leaves * load)
            graph.nodes[endpoint_id]["half"] = side
            edge(endpoint_id, leaf_id, leaves * load)
            if plan.tiers >= 2 and split_spines:
                edge(leaf_id, f"{tag}/spine0", leaves * uplinks if first else 0)
                edge(leaf_id, f"{tag}/spines", leaves * (spines - 1) * uplinks)
            elif plan.tiers >= 2:
                edge(leaf_id, f"{tag}/spines", leaves * spines * uplinks)
    return graph


def _max_flow_units(graph: nx.Graph, sources: list[str], sinks: list[str]) -> int:
    import networkx as nx

    if not sources or not sinks:
        return 0
    flow_graph = graph.copy()
    for endpoint in sources:
        flow_graph.add_edge(SOURCE, endpoint)  # no capacity attribute: unbounded
    for endpoint in sinks:
        flow_graph.add_edge(endpoint, SINK)
    value = nx.maximum_flow_value(flow_graph, SOURCE, SINK, capacity="flow_units")
    return round(float(value))


def quotient_bisection_bps(
    plan: FabricPlan, failed: SwitchClass | None = None, half: Half = "A"
) -> float:
    """Bisection by max-flow between the halves of the split quotient graph.

    Equal to `expanded_bisection_bps` on `build_expanded(plan, failed=...,
    half=...)`: the split quotient is an equitable partition of the expanded
    graph.
    """
    if plan.endpoints == 0:
        return 0.0
    if plan.tiers == 1:
        return 0.0 if failed else plan.endpoints // 2 * plan.link_speed_bps
    graph = build_split_quotient(plan, failed=failed, half=half)
    ends = [(n, d.get("half")) for n, d in graph.nodes(data=True) if d["kind"] == "endpoints"]
    sources = [n for n, half in ends if half == "A"]
    sinks = [n for n, half in ends if half == "B"]
    if not sources or not sinks:
        return 0.0
    return _max_flow_units(graph, sources, sinks) * plan.link_speed_bps / 2


def _leaf_loads(plan: FabricPlan) -> list[int]:
    return [g.endpoints_per_leaf for g in plan.leaf_groups for _ in range(g.count)]


def expanded_size(plan: FabricPlan) -> int:
    """Nodes of the expanded graph: one per endpoint and per switch."""
    return plan.endpoints + plan.switches.total


def build_expanded(
    plan: FabricPlan,
    limit: int = EXPANDED_NODE_LIMIT,
    *,
    failed: SwitchClass | None = None,
    half: Half = "A",
) -> nx.Graph:
    """One node per switch and endpoint (parallel links as one edge with `links`).

    Leaves are numbered in `plan.leaf_groups` order (heaviest first) and
    filled into pods in that order. `failed` removes one switch of that
    class in `half`: the first of its heaviest leaves, spine 0 of its first
    pod (of pod 0 when the spines are shared), core 0 of group 0.
    Raises `GraphTooLarge` above `limit` nodes.
    """
    import networkx as nx

    size = expanded_size(plan)
    if size > limit:
        raise GraphTooLarge(size, limit)
    graph = nx.Graph(name=plan.name)
    speed = plan.link_speed_bps

    def edge(a: str, b: str, links: int) -> None:
        graph.add_edge(a, b, links=links, capacity_bps=links * speed, flow_units=2 * links)

    endpoint_index = 0
    for leaf_index, load in enumerate(_leaf_loads(plan)):
        leaf_id = f"leaf{leaf_index}"
        pod = leaf_index // plan.leaves_per_pod if plan.leaves_per_pod else 0
        graph.add_node(leaf_id, kind="leaf", pod=pod, count=1, label=leaf_id)
        for _ in range(load):
            endpoint_id = f"ep{endpoint_index}"
            graph.add_node(
                endpoint_id, kind="endpoints", leaf=leaf_index, count=1, label=endpoint_id
            )
            edge(endpoint_id, leaf_id, 1)
            endpoint_index += 1
        for spine in range(plan.spines_per_pod):
            edge(leaf_id, f"spine{pod}.{spine}", plan.links_leaf_to_spine)
    for pod in range(plan.pods if plan.tiers >= 2 else 0):
        for spine in range(plan.spines_per_pod):
            spine_id = f"spine{pod}.{spine}"
            graph.add_node(spine_id, kind="spine", pod=pod, count=1, label=spine_id)
            for core in range(plan.cores_per_group):
                core_id = f"core{spine}.{core}"
                graph.add_node(core_id, kind="core", count=1, label=core_id)
                edge(spine_id, core_id, plan.links_spine_to_core)
    if failed is not None:
        if failed == "leaf":
            victim = f"leaf{_victim_leaf(plan, half)}"
        elif failed == "spine":
            victim = f"spine{_victim_pod(plan, 'spine', half)}.0"
        else:
            victim = "core0.0"
        if victim in graph:
            graph.remove_node(victim)
    return graph


def expanded_bisection_bps(plan: FabricPlan, graph: nx.Graph) -> float:
    """Max-flow between the halves of an expanded graph (pods in 3 tiers, else leaves)."""
    if _three_tier_pods(plan):
        half = plan.pods // 2
        in_a = {f"leaf{i}" for i in range(plan.switches.leaf) if i // plan.leaves_per_pod < half}
    else:
        leaves = max(1, plan.switches.leaf)
        in_a = {f"leaf{i}" for i in range(leaves // 2)}
    endpoints = [n for n, d in graph.nodes(data=True) if d["kind"] == "endpoints"]
    if plan.tiers == 1:
        sources, sinks = endpoints[: len(endpoints) // 2], endpoints[len(endpoints) // 2 :]
    else:
        sources = [n for n in endpoints if f"leaf{graph.nodes[n]['leaf']}" in in_a]
        sinks = [n for n in endpoints if f"leaf{graph.nodes[n]['leaf']}" not in in_a]
    # An endpoint whose leaf failed is still a node but has no edges.
    return _max_flow_units(graph, sources, sinks) * plan.link_speed_bps / 2


def hop_counts(plan: FabricPlan) -> HopCounts:
    """Max hops (2 x tiers - 1) and the mean over endpoint pairs placed as planned."""
    endpoints = plan.endpoints
    if endpoints < 2:
        return HopCounts(plan.max_switch_hops if endpoints else 0, 0.0)
    pairs = endpoints * (endpoints - 1)
    same_leaf = sum(
        g.count * g.endpoints_per_leaf * (g.endpoints_per_leaf - 1) for g in plan.leaf_groups
    )
    p_leaf = same_leaf / pairs
    if plan.tiers == 1:
        return HopCounts(1, 1.0)
    p_pod = 1.0
    if plan.tiers == 3 and plan.pods > 1:
        per_pod = endpoints / plan.pods
        p_pod = max(p_leaf, (per_pod - 1) / (endpoints - 1))
    mean = 1 * p_leaf + 3 * (p_pod - p_leaf) + 5 * (1 - p_pod)
    return HopCounts(plan.max_switch_hops, mean)


def failure_impacts(plan: FabricPlan) -> tuple[FailureImpact, ...]:
    """N-1 for each switch class present: one switch fails at the worst place.

    The bisection after the failure is the max-flow between the halves of
    the split quotient with that switch removed (`build_split_quotient`),
    equal to the expanded graph's, with the switch in whichever half it
    costs more (the halves may differ when pods or leaves do not split
    evenly): the heaviest leaf, spine 0 of the half's first pod, core 0 of
    group 0. The loss is counted from the same cut without the failure.
    Endpoints cut off follow from the topology: the failed leaf's endpoints;
    a pod's endpoints when its only spine fails; every endpoint when the
    pods' only core fails.
    """
    if plan.endpoints == 0 or plan.switches.total == 0:
        return ()
    heaviest = plan.max_endpoints_per_leaf
    before = quotient_bisection_bps(plan)

    def impact(switch_class: SwitchClass, cut_off: int) -> FailureImpact:
        after = min(quotient_bisection_bps(plan, switch_class, half) for half in HALVES)
        return FailureImpact(
            switch_class, plan.switches.get(switch_class), cut_off, after, before - after
        )

    if plan.tiers == 1:
        return (impact("leaf", plan.endpoints),)
    impacts = [impact("leaf", heaviest)]
    # With one spine per pod, losing it isolates the pod's endpoints from the rest.
    isolated = 0
    if plan.spines_per_pod == 1:
        isolated = plan.endpoints if plan.pods == 1 else plan.leaves_per_pod * heaviest
    impacts.append(impact("spine", min(isolated, plan.endpoints)))
    if plan.tiers == 3:
        single_core = plan.pods > 1 and plan.switches.core == 1
        impacts.append(impact("core", plan.endpoints if single_core else 0))
    return tuple(impacts)


def single_points_of_failure(plan: FabricPlan) -> tuple[SinglePointOfFailure, ...]:
    """Switch classes one of whose switches splits the switch fabric (W302).

    Endpoints behind a leaf are single-homed by construction; that is
    reported as `single_homed_endpoints`, not here.
    """
    found: list[SinglePointOfFailure] = []
    if plan.tiers == 1 and plan.endpoints:
        found.append(SinglePointOfFailure("leaf", plan.endpoints, "the fabric is one switch"))
    if plan.tiers >= 2 and plan.spines_per_pod == 1 and plan.switches.leaf > 1:
        affected = (
            plan.endpoints if plan.pods == 1 else plan.leaves_per_pod * plan.max_endpoints_per_leaf
        )
        found.append(
            SinglePointOfFailure("spine", min(affected, plan.endpoints), "a pod has one spine")
        )
    if plan.tiers == 3 and plan.pods > 1 and plan.switches.core == 1:
        found.append(SinglePointOfFailure("core", plan.endpoints, "the pods share one core"))
    return tuple(found)


_ANALYSED: dict[str, TopologyAnalysis] = {}
_ANALYSED_LIMIT = 256


def analyze_topology(
    plan: FabricPlan, failures: tuple[FailureImpact, ...] | None = None
) -> TopologyAnalysis:
    """Every analysis of this module for `plan`; the graph ones run when first read.

    `failures`, when given, are `failure_impacts(plan)` computed earlier (the
    cache of `aiflang.analyses.topology_cache`), so networkx is not needed.

    A pure function of the plan, so it is remembered in the process too (by
    the plan's full `repr`, which holds every field): the variants of a
    sweep that leave a fabric unchanged (a price, a PUE, a workload) reuse
    its analysis, and the graph figures once read, instead of redoing them.
    """
    key = repr(plan)
    known = _ANALYSED.get(key)
    if known is None:
        if len(_ANALYSED) >= _ANALYSED_LIMIT:
            _ANALYSED.clear()
        known = _ANALYSED[key] = _analyze_topology(plan, failures)
    return known


def _analyze_topology(
    plan: FabricPlan, failures: tuple[FailureImpact, ...] | None
) -> TopologyAnalysis:
    return TopologyAnalysis(
        plan=plan,
        closed_form_bisection_bps=plan.bisection_bps,
        hops=hop_counts(plan),
        failures=failure_impacts(plan) if failures is None else failures,
        single_points_of_failure=single_points_of_failure(plan),
        single_homed_endpoints=plan.endpoints,
        max_endpoints_per_leaf=plan.max_endpoints_per_leaf,
    )


def to_graphml(graph: nx.Graph) -> str:
    """GraphML text of `graph` (node and edge attributes kept).

    GraphML declares one type per attribute name, and readers such as
    igraph refuse a name declared twice. networkx declares a name once per
    Python type it meets, so an attribute holding whole counts as int on one
    node and float on another would be declared twice: every numeric
    attribute is written as integers when all its values are whole, else
    as doubles.
    """
    import networkx as nx

    clean = graph.copy()
    for items in (
        [data for _, data in clean.nodes(data=True)],
        [data for _, _, data in clean.edges(data=True)],
    ):
        for name in {name for data in items for name in data}:
            values = [data[name] for data in items if name in data]
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if len(numbers) != len(values):
                continue
            whole = all(float(v).is_integer() for v in numbers)
            for data in items:
                if name in data:
                    data[name] = int(data[name]) if whole else float(data[name])
    return "\n".join(nx.generate_graphml(clean)) + "\n"


def _dot_id(text: Any) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: nx.Graph) -> str:
    """Graphviz DOT text: nodes labelled by class and count, edges by link count."""
    name = graph.graph.get("name", "fabric")
    lines = [f"graph {_dot_id(name)} {{", "  node [shape=box];"]
    for node_id, data in graph.nodes(data=True):
        label = data.get("label", node_id)
        kind = data.get("kind", "")
        lines.append(f"  {_dot_id(node_id)} [label={_dot_id(label)}, class={_dot_id(kind)}];")
    for a, b, data in graph.edges(data=True):
        links = data.get("links")
        attrs = f" [label={_dot_id(f'{links:g} links')}]" if links is not None else ""
        lines.append(f"  {_dot_id(a)} -- {_dot_id(b)}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"
