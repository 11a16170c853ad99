"""`aifc graph`: GraphML that other tools read back, with counts as integers."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from aiflang.driver import compile_file
from aiflang.models.topology import to_graphml
from aiflang.render.graph import export_graph

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted((ROOT / "reference_designs").glob("*.aif"))


def _graphml(path: Path, *, expand: bool = False) -> str:
    text, problem = export_graph(compile_file(path), "graphml", expand=expand, fabric=None)
    assert problem is None, problem
    return text


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.stem)
def test_every_reference_graph_reads_back_in_two_readers(path: Path, tmp_path: Path) -> None:
    igraph = pytest.importorskip("igraph")
    text = _graphml(path)
    file = tmp_path / "g.graphml"
    file.write_text(text, encoding="utf-8")
    ours = nx.read_graphml(file)
    theirs = igraph.Graph.Read_GraphML(str(file))  # refuses a key declared twice
    assert theirs.vcount() == ours.number_of_nodes() > 0
    assert theirs.ecount() == ours.number_of_edges()
    # Counts are whole numbers written as integers, in both readers.
    for _, data in ours.nodes(data=True):
        assert isinstance(data["count"], int)
    for _, _, data in ours.edges(data=True):
        assert isinstance(data["links"], int) and isinstance(data["flow_units"], int)
    # igraph keeps every number as a double; the counts agree with networkx's.
    counts = {name: count for name, count in zip(theirs.vs["id"], theirs.vs["count"], strict=True)}
    assert counts == {name: data["count"] for name, data in ours.nodes(data=True)}


def test_each_attribute_is_declared_once() -> None:
    text = _graphml(ROOT / "reference_designs" / "gb200_two_su.aif")
    names = [
        (line.split('for="')[1].split('"')[0], line.split('attr.name="')[1].split('"')[0])
        for line in text.splitlines()
        if line.strip().startswith("<key ")
    ]
    assert len(names) == len(set(names)), names
    assert '<data key="' in text and "1152.0" not in text


def test_fractional_values_stay_doubles() -> None:
    graph = nx.Graph()
    graph.add_node("a", count=2.0, share=0.5)
    graph.add_node("b", count=3, share=1)
    graph.add_edge("a", "b", links=4.0)
    back = nx.parse_graphml(to_graphml(graph))
    assert back.nodes["a"]["count"] == 2 and isinstance(back.nodes["a"]["count"], int)
    assert back.nodes["a"]["share"] == 0.5 and isinstance(back.nodes["b"]["share"], float)
    assert back.edges["a", "b"]["links"] == 4 and isinstance(back.edges["a", "b"]["links"], int)
    assert graph.nodes["a"]["count"] == 2.0 and isinstance(graph.nodes["a"]["count"], float)


def test_the_expanded_graph_reads_back_too(tmp_path: Path) -> None:
    igraph = pytest.importorskip("igraph")
    file = tmp_path / "g.graphml"
    file.write_text(_graphml(ROOT / "reference_designs" / "enterprise_h200_pod.aif", expand=True))
    theirs = igraph.Graph.Read_GraphML(str(file))
    ours = nx.read_graphml(file)
    assert theirs.vcount() == ours.number_of_nodes() == 128 + 4 + 2
