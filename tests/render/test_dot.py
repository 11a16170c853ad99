"""`aifc graph --format dot`: clusters per fabric and hall, ranks per tier, cabling names.

Where Graphviz is installed the DOT is laid out with `dot` too (CI installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from aiflang.driver import compile_file
from aiflang.render.graph import export_graph

ROOT = Path(__file__).resolve().parents[2]


def dot_of(name: str, **options: object) -> str:
    compilation = compile_file(ROOT / "reference_designs" / f"{name}.aif")
    text, problem = export_graph(compilation, "dot", **options)  # type: ignore[arg-type]
    assert problem is None
    return text


def lays_out(text: str) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


def test_quotient_has_a_cluster_per_fabric_and_hall_and_ranks_per_tier() -> None:
    text = dot_of("gb300_100mw", expand=False, fabric=None)
    assert text.startswith('graph "gb300-100mw" {\n  rankdir=BT;')
    fabrics = re.findall(r'label="fabric (\w+)";', text)
    assert fabrics == ["compute", "frontend", "storage"]
    halls = re.findall(r'label="hall (\w+)";', text)
    assert Counter(halls) == {"H1": 3, "H2": 3, "H3": 3, "H4": 3}
    assert text.count("{ rank=same;") >= 3 * (4 * 2 + 1)
    # Edges run from the lower tier up: endpoints -- leaf -- spine -- core.
    assert '"compute/endpoints/0" -- "compute/leaf/0" [label="11520 links"];' in text
    assert re.search(r'"compute/leaf/0" -- "compute/spine" \[label="\d+ links"\];', text)
    lays_out(text)


def test_expanded_names_every_device_and_port_like_a_cabling_plan() -> None:
    compilation = compile_file(ROOT / "reference_designs" / "dgx_h100_superpod.aif")
    text, problem = export_graph(compilation, "dot", expand=True, fabric="compute")
    assert problem is None
    edges = re.findall(
        r'^  "([^"]+)" -- "([^"]+)" \[taillabel="([^"]+)", headlabel="([^"]+)"\];', text, re.M
    )
    plan = compilation.facts[0].fabric_plans["compute"]
    assert len(edges) == plan.links.total
    assert edges[0] == ("A-R0001-N01", "compute-leaf0", "compute0", "swp1")
    ports = Counter((a, tail) for a, _, tail, _ in edges) + Counter(
        (b, head) for _, b, _, head in edges
    )
    assert max(ports.values()) == 1  # no port carries two cables
    nodes = set(re.findall(r'^\s+"([^"]+)" \[label=', text, re.M))
    assert sum(1 for n in nodes if n.startswith("compute-leaf")) == 32
    assert sum(1 for n in nodes if n.startswith("compute-spine")) == 16
    assert sum(1 for n in nodes if "-N" in n) == 127
    lays_out(text)
