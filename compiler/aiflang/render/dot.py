"""Graphviz DOT of sized fabrics that `dot` lays out readably (`aifc graph --format dot`).

- One cluster per fabric, and inside it one per hall holding that hall's
  leaves and endpoints; spines and cores sit in the fabric's cluster.
- `rankdir=BT` and one `rank=same` group per tier in each cluster, so
  endpoints are at the bottom, then leaves, spines and cores.
- The quotient graph (the default) has one node per class of identical
  switches or endpoints, labelled with its count; edges carry link counts.
- The expanded graph (`--expand`) has one node per server and per switch,
  named as the layout names them (render/layout.py: `A-R0001-N01`,
  `compute-leaf0`, `compute-spine0.1`), and one edge per cable whose tail
  and head labels are the port names (`compute3`, `swp17s1`), so the
  drawing reads as a cabling plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TIERS = ("endpoints", "leaf", "spine", "core")


def quote(text: Any) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass(frozen=True, slots=True)
class DotNode:
    id: str
    label: str
    kind: str  # endpoints | leaf | spine | core | server
    hall: str  # "" outside any hall cluster


@dataclass(frozen=True, slots=True)
class DotEdge:
    a: str
    b: str
    label: str = ""
    tail: str = ""
    head: str = ""


@dataclass(frozen=True, slots=True)
class DotFabric:
    name: str
    nodes: list[DotNode]
    edges: list[DotEdge]


def _rank(kind: str) -> str:
    return "endpoints" if kind in ("endpoints", "server") else kind


def _node_line(node: DotNode, indent: str) -> str:
    return f"{indent}{quote(node.id)} [label={quote(node.label)}, class={quote(node.kind)}];"


def _ranked(nodes: list[DotNode], indent: str) -> list[str]:
    lines = []
    for tier in TIERS:
        members = [n for n in nodes if _rank(n.kind) == tier]
        if not members:
            continue
        lines.append(f"{indent}{{ rank=same;")
        lines += [_node_line(n, indent + "  ") for n in members]
        lines.append(f"{indent}}}")
    return lines


def to_dot(title: str, fabrics: Iterable[DotFabric]) -> str:
    lines = [
        f"graph {quote(title)} {{",
        "  rankdir=BT;",
        "  newrank=true;",
        "  compound=true;",
        '  node [shape=box, style="rounded"];',
    ]
    edges: list[DotEdge] = []
    level: dict[str, int] = {}
    for index, fabric in enumerate(fabrics):
        level.update({n.id: TIERS.index(_rank(n.kind)) for n in fabric.nodes})
        lines.append(f"  subgraph {quote(f'cluster_fabric_{index}')} {{")
        lines.append(f"    label={quote('fabric ' + fabric.name)};")
        halls = sorted({n.hall for n in fabric.nodes if n.hall})
        for number, hall in enumerate(halls):
            lines.append(f"    subgraph {quote(f'cluster_fabric_{index}_hall_{number}')} {{")
            lines.append(f"      label={quote('hall ' + hall)};")
            lines += _ranked([n for n in fabric.nodes if n.hall == hall], "      ")
            lines.append("    }")
        lines += _ranked([n for n in fabric.nodes if not n.hall], "    ")
        lines.append("  }")
        edges += fabric.edges
    for edge in edges:
        if level.get(edge.a, 0) > level.get(edge.b, 0):  # dot ranks tails below heads
            edge = DotEdge(edge.b, edge.a, edge.label, edge.head, edge.tail)
        attrs = []
        if edge.label:
            attrs.append(f"label={quote(edge.label)}")
        if edge.tail:
            attrs.append(f"taillabel={quote(edge.tail)}")
        if edge.head:
            attrs.append(f"headlabel={quote(edge.head)}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {quote(edge.a)} -- {quote(edge.b)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
