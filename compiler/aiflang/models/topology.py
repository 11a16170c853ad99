"""Topology analysis of a sized fabric, on a quotient graph of switch classes.

`build_quotient(plan)` returns a networkx graph with one node per class
(endpoint group, leaf class, spine class, core class), whatever the scale:
counts and aggregate capacities are node and edge attributes. The analyses
here guarantee, for a `FabricPlan` from `aiflang.models.fabric`:

- connectivity of the quotient (every endpoint group reaches every other);
- bisection by max-flow between two halves of the fabric on the quotient
  (`split=True`: every class is halved, halves aligned to pods in a 3-tier
  fabric and to leaves otherwise). Capacities are integers (`flow_units`,
  twice the link count), so the flow equals the closed form exactly. The
  quotient is exact when each class is uniform (same endpoints per leaf,
  same leaves per pod, even halves): an equitable partition (every node of a
  class has the same capacity to every other class; Godsil and Royle,
  "Algebraic Graph Theory", section 9.3); leaves with different loads are already separate classes;
- switch hops between endpoints, maximum and mean over endpoint pairs;
- N-1 per switch class (a leaf, a spine, a core): endpoints cut off and
  bisection lost, in closed form for the worst-placed failure, checked
  against the expanded graph in the tests;
- single points of failure of the switch fabric; single-homed endpoints
  are reported separately (every leaf is an articulation point for them).

`build_expanded(plan)` builds one node per switch and endpoint, refused
above `EXPANDED_NODE_LIMIT` nodes with `GraphTooLarge`.
networkx is imported inside functions, and `analyze_topology` leaves the
graph figures to be computed when first read: importing networkx costs
several hundred milliseconds, more than checking a small design.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiflang.models.fabric import FabricPlan, SwitchClass

if TYPE_CHECKING:
    import networkx as nx

EXPANDED_NODE_LIMIT = 20_000
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


@dataclass(frozen=True, slots=True)
class HopCounts:
    """Switch hops between two endpoints: the worst pair and the mean over pairs."""

    max_switch_hops: int
    mean_switch_hops: float


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class SinglePointOfFailure:
    """A switch class one of whose switches splits the switch fabric."""

    switch_class: SwitchClass
    endpoints_affected: int
    reason: str


@dataclass(frozen=True)
class TopologyAnalysis:
    """The analyses of one fabric: closed forms at once, graph figures on demand.

    The figures that need the quotient graph (`connected`, the max-flow
    `bisection_bps`, `quotient_nodes`) are computed with networkx the first
    time they are read, so a run that only checks the design (diagnostics,
    the report's closed-form bisection) never imports it.
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


def build_quotient(plan: FabricPlan, *, split: bool = False) -> nx.Graph:
    """The class graph of `plan`; with `split`, two halves A and B for the bisection.

    Node attributes: kind (endpoints, leaf, spine, core), count (switches or
    endpoints in the class, halved when split), label. Edge attributes:
    links (in the class pair), capacity_bps, flow_units (2 x links, an int).
    """
    import networkx as nx

    graph = nx.Graph(name=plan.name)
    halves = ("A", "B") if split else ("",)
    share = 0.5 if split else 1.0
    speed = plan.link_speed_bps

    def node(node_id: str, kind: str, count: float, label: str) -> None:
        graph.add_node(node_id, kind=kind, count=count, label=label)

    def edge(a: str, b: str, links: float) -> None:
        graph.add_edge(a, b, links=links, capacity_bps=links * speed, flow_units=round(2 * links))

    def suffix(half: str) -> str:
        return f":{half}" if half else ""

    shared_spine = not (split and _three_tier_pods(plan))
    if plan.tiers >= 2 and shared_spine:
        node("spine", "spine", plan.switches.spine, f"{plan.switches.spine:,} spines")
    if plan.tiers == 3:
        node("core", "core", plan.switches.core, f"{plan.switches.core:,} cores")
        if shared_spine:
            edge("spine", "core", plan.switches.spine * plan.spine_uplinks)
    for half in halves:
        tag = suffix(half)
        if plan.tiers >= 2 and not shared_spine:
            spine_id = f"spine{tag}"
            spines = plan.switches.spine * share
            node(spine_id, "spine", spines, f"{spines:g} spines {half}".strip())
            edge(spine_id, "core", spines * plan.spine_uplinks)
        for index, group in enumerate(plan.leaf_groups):
            leaves = group.count * share
            endpoints = leaves * group.endpoints_per_leaf
            hall = f" in {group.hall}" if group.hall else ""
            leaf_id, endpoint_id = f"leaf/{index}{tag}", f"endpoints/{index}{tag}"
            node(endpoint_id, "endpoints", endpoints, f"{endpoints:g} endpoints{hall} {half}")
            node(
                leaf_id,
                "leaf",
                leaves,
                f"{leaves:g} leaves of {group.endpoints_per_leaf} endpoints{hall} {half}",
            )
            edge(endpoint_id, leaf_id, endpoints)
            if plan.tiers >= 2:
                edge(leaf_id, f"spine{'' if shared_spine else tag}", leaves * plan.leaf_uplinks)
    for node_id in graph.nodes:
        graph.nodes[node_id]["label"] = graph.nodes[node_id]["label"].strip()
    return graph


def _max_flow_units(graph: nx.Graph, sources: list[str], sinks: list[str]) -> int:
    import networkx as nx

    flow_graph = graph.copy()
    for endpoint in sources:
        flow_graph.add_edge(SOURCE, endpoint)  # no capacity attribute: unbounded
    for endpoint in sinks:
        flow_graph.add_edge(endpoint, SINK)
    value = nx.maximum_flow_value(flow_graph, SOURCE, SINK, capacity="flow_units")
    return round(float(value))


def quotient_bisection_bps(plan: FabricPlan) -> float:
    """Bisection by max-flow between the halves of the split quotient graph."""
    if plan.endpoints == 0:
        return 0.0
    graph = build_quotient(plan, split=True)
    sources = [n for n, d in graph.nodes(data=True) if d["kind"] == "endpoints" and n[-2:] == ":A"]
    sinks = [n for n, d in graph.nodes(data=True) if d["kind"] == "endpoints" and n[-2:] == ":B"]
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
) -> nx.Graph:
    """One node per switch and endpoint (parallel links as one edge with `links`).

    Leaves are numbered in `plan.leaf_groups` order (heaviest first) and
    filled into pods in that order. `failed` removes the worst-placed switch
    of that class (leaf 0, spine 0 of pod 0, core 0 of group 0).
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
        victim = {"leaf": "leaf0", "spine": "spine0.0", "core": "core0.0"}[failed]
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

    Bisection counts in flow units (2 x links across the cut); the failed
    switch sits in half A, so the bisection is the smaller half.
    """
    if plan.endpoints == 0 or plan.switches.total == 0:
        return ()
    speed = plan.link_speed_bps
    uplinks = plan.leaf_uplinks
    usable = plan.usable_leaf_uplinks
    heaviest = plan.max_endpoints_per_leaf

    def impact(switch_class: SwitchClass, cut_off: int, units_after: float) -> FailureImpact:
        after = max(0.0, units_after) * speed / 2
        return FailureImpact(
            switch_class,
            plan.switches.get(switch_class),
            cut_off,
            after,
            plan.bisection_bps - after,
        )

    if plan.tiers == 1:
        return (impact("leaf", plan.endpoints, 0),)
    impacts = [impact("leaf", heaviest, usable - 2 * min(heaviest, uplinks))]
    per_spine = plan.links_leaf_to_spine
    # With one spine per pod, losing it isolates the pod's endpoints from the rest.
    isolated = 0
    if plan.spines_per_pod == 1:
        isolated = plan.endpoints if plan.pods == 1 else plan.leaves_per_pod * heaviest
    if plan.tiers == 2 or plan.pods == 1:
        # The spines are shared by both halves: every leaf loses its links to the failed one.
        degraded = sum(
            g.count * min(g.endpoints_per_leaf, uplinks - per_spine) for g in plan.leaf_groups
        )
        impacts.append(impact("spine", isolated, degraded))
    else:
        pod_leaves = min(plan.leaves_per_pod, plan.switches.leaf)
        lost = pod_leaves * (min(heaviest, uplinks) - min(heaviest, uplinks - per_spine))
        impacts.append(impact("spine", min(isolated, plan.endpoints), usable - 2 * lost))
    if plan.tiers == 3:
        if plan.pods == 1:
            impacts.append(impact("core", 0, usable))  # no path between leaves needs a core
        elif plan.switches.core == 1:
            impacts.append(impact("core", plan.endpoints, 0))
        else:
            pod_capacity = plan.spines_per_pod * plan.spine_uplinks - plan.links_spine_to_core
            impacts.append(impact("core", 0, min(usable, plan.pods * pod_capacity)))
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


def analyze_topology(plan: FabricPlan) -> TopologyAnalysis:
    """Every analysis of this module for `plan`; the graph ones run when first read."""
    return TopologyAnalysis(
        plan=plan,
        closed_form_bisection_bps=plan.bisection_bps,
        hops=hop_counts(plan),
        failures=failure_impacts(plan),
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
