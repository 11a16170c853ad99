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

    from aiflang.driver import Compilation
    from aiflang.models.fabric import FabricPlan

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
    known: list[str] = []
    for design, facts in pairs:
        known.extend(facts.fabric_plans)
        for name, plan in facts.fabric_plans.items():
            if fabric is None or name == fabric:
                prefix = f"{design.name}/{name}" if many_designs else name
                chosen.append((prefix, plan))
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
    graph = _combined(chosen, expand, pairs[0][0].name)
    from aiflang.models.topology import to_dot, to_graphml

    text = to_graphml(graph) if fmt == "graphml" else to_dot(graph)
    return neutralise(text), None  # names come from the design


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
