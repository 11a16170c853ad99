"""Export the sized fabrics of a compilation as GraphML or Graphviz DOT.

The default is the quotient graph (one node per class of identical
switches or endpoint groups, counts as attributes), which stays small at
any scale. `expand=True` draws one node per switch and endpoint, refused
above `EXPANDED_NODE_LIMIT` nodes in total. Problems are returned as one
line for the command line to print, never raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from aiflang.diagnostics.characters import neutralise

if TYPE_CHECKING:
    import networkx as nx

    from aiflang.analyses.facts import Facts
    from aiflang.driver import Compilation
    from aiflang.frontend.design import Design
    from aiflang.models.fabric import FabricPlan
    from aiflang.render.dot import DotFabric

GraphFormat = Literal["graphml", "dot"]


def export_graph(
    compilation: Compilation,
    fmt: str,
    *,
    expand: bool,
    fabric: str | None,
    factory_index: int | None = None,
) -> tuple[str, str | None]:
    """The graph text of the compilation's fabrics, and a usage problem (or None).

    `factory_index` keeps only that factory's fabrics; without it every
    factory's fabrics are drawn, prefixed by the factory's name when there
    are several.
    """
    from aiflang.models.topology import EXPANDED_NODE_LIMIT, expanded_size

    if fmt not in ("graphml", "dot"):
        return "", f"unknown graph format {fmt!r}; use graphml or dot"
    if not compilation.designs:
        if compilation.counts.errors:
            return "", "the file has errors and no factory could be built; run `aifc validate`"
        return "", "the file defines no factory, so there is no network to draw"
    if not compilation.facts:
        return "", "the design has errors, so its fabrics were not sized; run `aifc validate`"

    pairs = list(zip(compilation.designs, compilation.facts, strict=False))
    if factory_index is not None:
        pairs = pairs[factory_index : factory_index + 1]
    many_designs = len(pairs) > 1
    chosen: list[tuple[str, FabricPlan]] = []
    sources: list[tuple[Design, Facts, str]] = []  # the design, facts and fabric of each
    known: list[str] = []
    for design, facts in pairs:
        known.extend(facts.fabric_plans)
        for name, plan in facts.fabric_plans.items():
            if fabric is None or name == fabric:
                prefix = f"{design.name}/{name}" if many_designs else name
                chosen.append((prefix, plan))
                sources.append((design, facts, name))
    if fabric is not None and not chosen:
        import difflib

        close = difflib.get_close_matches(fabric, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listed = ", ".join(sorted(set(known))) or "none"
        return "", f"no fabric {fabric!r}{hint}; the sized fabrics are: {listed}"
    if not chosen:
        if compilation.counts.errors:
            return "", "no fabric could be sized (the design has errors); run `aifc validate`"
        return "", "the design has no fabric with endpoints to draw"

    if expand:
        size = sum(expanded_size(plan) for _, plan in chosen)
        if size > EXPANDED_NODE_LIMIT:
            return "", (
                f"the expanded graph would have {size:,} nodes, over the limit of "
                f"{EXPANDED_NODE_LIMIT:,}; drop --expand for the quotient graph"
            )
    title = pairs[0][0].name
    if fmt == "dot":
        from aiflang.render.dot import to_dot

        fabrics = [
            _dot_expanded(prefix, *source)
            if expand
            else _dot_quotient(prefix, plan, len(chosen) > 1)
            for (prefix, plan), source in zip(chosen, sources, strict=True)
        ]
        title = chosen[0][0] if len(chosen) == 1 else title
        return neutralise(to_dot(title, fabrics)), None  # names come from the design
    graph = _combined(chosen, expand, title)
    from aiflang.models.topology import to_graphml

    return neutralise(to_graphml(graph)), None


def _combined(chosen: list[tuple[str, FabricPlan]], expand: bool, title: str) -> nx.Graph:
    """One graph of every chosen fabric, node ids prefixed by the fabric's name."""
    import networkx as nx

    from aiflang.models.topology import build_expanded, build_quotient

    if len(chosen) == 1:
        prefix, plan = chosen[0]
        graph = build_expanded(plan) if expand else build_quotient(plan)
        graph.graph["name"] = prefix
        for node_id in graph.nodes:
            graph.nodes[node_id]["fabric"] = prefix
        return graph
    combined = nx.Graph(name=title)
    for prefix, plan in chosen:
        part = build_expanded(plan) if expand else build_quotient(plan)
        for node_id, data in part.nodes(data=True):
            combined.add_node(
                f"{prefix}/{node_id}",
                **{**data, "fabric": prefix, "label": f"{prefix}: {data.get('label', node_id)}"},
            )
        for a, b, data in part.edges(data=True):
            combined.add_edge(f"{prefix}/{a}", f"{prefix}/{b}", **data)
    return combined


def _spine_hall(design: Design, name: str) -> str:
    fabric = next((f for f in design.fabrics if f.name == name), None)
    return (fabric.hall if fabric else None) or (design.halls[0].name if design.halls else "")


def _dot_quotient(prefix: str, plan: FabricPlan, many: bool) -> DotFabric:
    """The class graph of one fabric, leaves and endpoints in their halls' clusters.

    One fabric keeps the graph's own node ids (`spine`); several are told
    apart by their prefix (`compute/spine`).
    """
    from aiflang.models.topology import build_quotient
    from aiflang.render.dot import DotEdge, DotFabric, DotNode

    graph = build_quotient(plan)
    single = not any(group.hall for group in plan.leaf_groups)
    nodes = []
    for node_id, data in graph.nodes(data=True):
        hall = ""
        if data["kind"] in ("leaf", "endpoints") and not single:
            hall = plan.leaf_groups[int(str(node_id).split("/")[1])].hall
        nodes.append(DotNode(_id(prefix, node_id, many), data["label"], data["kind"], hall))
    edges = [
        DotEdge(_id(prefix, a, many), _id(prefix, b, many), f"{data['links']:g} links")
        for a, b, data in graph.edges(data=True)
    ]
    return DotFabric(prefix, nodes, edges)


def _id(prefix: str, node_id: object, many: bool) -> str:
    return f"{prefix}/{node_id}" if many else str(node_id)


def _dot_expanded(prefix: str, design: Design, facts: Facts, name: str) -> DotFabric:
    """One node per server and switch, one edge per cable with its port names."""
    from aiflang.render.dot import DotEdge, DotFabric, DotNode
    from aiflang.render.layout import build_layout

    layout = build_layout(design, facts)
    devices = {device.name: device for device in layout.devices}
    used: dict[str, DotNode] = {}
    edges = []
    for cable in layout.cables():
        if cable.fabric != name:
            continue
        for device_name in (cable.a_device, cable.b_device):
            if device_name not in used:
                device = devices[device_name]
                kind = "server" if device.kind == "node" else device.role
                hall = device.hall if kind in ("server", "leaf") else ""
                label = f"{device.name}\n{device.model}"
                used[device_name] = DotNode(device.name, label, kind, hall)
        edges.append(DotEdge(cable.a_device, cable.b_device, tail=cable.a_port, head=cable.b_port))
    return DotFabric(prefix, list(used.values()), edges)
