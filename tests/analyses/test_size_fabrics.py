"""The fabric pass on whole designs: counts from published reference architectures,
endpoints by role and hall, findings, and graph export."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from aiflang.driver import Compilation, compile_source
from aiflang.render.graph import export_graph

DGX_RACK_OF_3 = """
rack dgx3 {
  nodes   = 3 x DGX_H100
  power   = 30.6 kW
  cooling = air
}
"""

HALL = """
  hall {name} {{
    it_power   = {mw} MW
    ups        = {ups} x 1 MW
    redundancy = N+1
    cooling    = {{ air = {mw} MW }}
    positions  = {positions}
    racks      = {racks}
  }}
"""


def hall(name: str, racks: str, mw: float = 2.0, positions: int = 64) -> str:
    return HALL.format(name=name, racks=racks, mw=mw, ups=int(mw / 0.8) + 2, positions=positions)


def superpod(fabrics: str, halls: str | None = None, extra: str = "") -> str:
    halls = halls or hall("A", "[31 x DGX_H100_rack, 1 x dgx3]")
    return f"""{DGX_RACK_OF_3}
factory "superpod" {{
  site {{ utility = 10 MW, pue = 1.3 }}
{halls}
{fabrics}
{extra}
}}
"""


COMPUTE = """
  fabric compute {
    technology       = infiniband
    connects         = compute
    topology         = rail_optimized
    oversubscription = 1:1
    leaf             = QM9700
    spine            = QM9700
  }
"""


def compile_text(tmp_path: Path, text: str) -> Compilation:
    return compile_source(text)


def codes(compilation: Compilation, prefix: str = "") -> list[str]:
    return [d.code for d in compilation.sink.sorted() if d.code.startswith(prefix)]


def test_dgx_h100_superpod_4su(tmp_path: Path) -> None:
    # NVIDIA DGX SuperPOD H100 RA: 4 SUs, 127 DGX H100 in 32 racks, 8 rails of NDR:
    # 32 leaf and 16 spine QM9700.
    compilation = compile_text(tmp_path, superpod(COMPUTE))
    assert codes(compilation, "E3") == [] and codes(compilation, "W3") == []
    facts = compilation.facts[0]
    (fabric,) = facts.fabrics
    assert fabric.endpoints == 127 * 8
    assert fabric.endpoint_speed_bps == 400e9
    assert fabric.rails == 8
    assert fabric.tiers == 2
    assert (fabric.switches.leaf, fabric.switches.spine, fabric.switches.core) == (32, 16, 0)
    assert (fabric.links.endpoint_leaf, fabric.links.leaf_spine) == (1016, 1024)
    assert fabric.cables == 2040
    assert fabric.bisection_bps == 1016 * 400e9 / 2
    assert fabric.bandwidth_per_endpoint_bps == 400e9
    assert fabric.max_hops == 3
    # Switch side: ceil((1016 + 2 x 1024) / 2) twin-port modules; NIC side: 1016.
    assert fabric.transceivers == 1532 + 1016
    assert fabric.switch_power_w == 48 * 750
    assert fabric.optics_power_w == 1532 * 15 + 1016 * 9
    assert fabric.single_homed_endpoints == 1016
    assert [f.part for f in fabric.failures] == ["leaf switch", "spine switch"]
    assert fabric.failures[0].gpus_affected == 32  # one leaf serves 32 GPUs of its rail
    assert fabric.failures[1].gpus_affected == 0
    # A spine lost: every leaf keeps 30 of its 32 uplinks. Across the cut (the first 16
    # leaves, 512 endpoints, against 8 x 32 + 8 x 31 = 504) 504 links fall to 16 x 30 = 480.
    assert fabric.failures[1].note == "bisection -4.76%"
    # Every switch and module in the one hall; 48 x 1 U of switches fill two 42 U racks.
    assert facts.network_power_by_hall_w == {"A": 48 * 750 + 1532 * 15 + 1016 * 9}
    assert facts.network_racks_by_hall == {"A": 2}
    assert facts.fabric_plans["compute"].spines_per_pod == 16
    assert facts.topologies["compute"].closed_form_bisection_bps == fabric.bisection_bps
    assert facts.topologies["compute"].bisection_bps == 504 * 400e9  # max-flow across the cut
    leaf = facts.derivations["fabrics.compute.switches.leaf"]
    assert leaf.inputs["leaf_downlinks"] == 32 and leaf.inputs["rails"] == 8


def test_endpoints_by_role(tmp_path: Path) -> None:
    fabrics = (
        COMPUTE
        + """
  fabric frontend {
    connects = frontend
    leaf     = SN5600
    spine    = SN5600
    tiers    = 2
  }
  fabric storage {
    connects = storage
    leaf     = QM9700
    tiers    = 2
  }
"""
    )
    facts = compile_text(tmp_path, superpod(fabrics)).facts[0]
    by_name = {f.name: f for f in facts.fabrics}
    assert by_name["compute"].endpoints == 1016
    assert by_name["frontend"].endpoints == 127  # one BF3 per DGX H100
    assert by_name["storage"].endpoints == 127
    # A fat tree has one rail whatever the node carries.
    assert by_name["frontend"].rails == 1
    # SN5600 at 400G: 128 logical ports, 64 down at 1:1, so 2 leaves.
    assert by_name["frontend"].switches.leaf == 2


def test_fabric_spanning_two_halls(tmp_path: Path) -> None:
    halls = hall("A", "16 x DGX_H100_rack") + hall("B", "16 x DGX_H100_rack")
    fabric = COMPUTE.replace("spine            = QM9700", "spine = QM9700\n    hall = B")
    facts = compile_text(tmp_path, superpod(fabric, halls)).facts[0]
    (report,) = facts.fabrics
    assert report.endpoints_by_hall == {"A": 512, "B": 512}
    # Per hall and rail: 64 endpoints on 32-downlink leaves = 2 leaves; 8 rails, 2 halls.
    assert report.switches.leaf == 32 and report.switches.spine == 16
    plan = facts.fabric_plans["compute"]
    assert {g.hall: g.count for g in plan.leaf_groups} == {"A": 16, "B": 16}
    # Leaves in their own hall, spines in hall B; optics follow the link ends.
    ends_a, ends_b = 512 + 16 * 32, 512 + 16 * 32 + 1024
    switch_optics = plan.transceivers.switch_side * 15.0
    hall_a = 16 * 750 + switch_optics * ends_a / (ends_a + ends_b) + 512 * 9
    assert facts.network_power_by_hall_w["A"] == pytest.approx(hall_a)
    total = report.switch_power_w + report.optics_power_w
    assert sum(facts.network_power_by_hall_w.values()) == pytest.approx(total)
    assert facts.network_racks_by_hall == {"A": 1, "B": 1}


def test_e303_unknown_role_suggests_the_closest(tmp_path: Path) -> None:
    text = superpod(COMPUTE.replace("connects         = compute", "connects = compte"))
    compilation = compile_text(tmp_path, text)
    (diagnostic,) = [d for d in compilation.sink.diagnostics if d.code == "E303"]
    assert "`compte`" in diagnostic.message
    assert diagnostic.help == "did you mean `connects = compute`?"
    assert compilation.facts[0].fabrics == []


def test_e301_e302_e304(tmp_path: Path) -> None:
    fabrics = """
  fabric one_switch {
    connects = compute
    topology = rail_optimized
    leaf     = QM9700
    tiers    = 1
  }
  fabric no_breakout {
    connects = frontend
    leaf     = X800
    spine    = X800
  }
  fabric declared {
    connects = storage
    leaf     = QM9700
    switches = { leaf = 1, spine = 3 }
    tiers    = 2
  }
"""
    switch = "switch X800 {\n  ports = 64 x 800 Gbps\n  power = 1 kW\n}\n"
    compilation = compile_text(tmp_path, switch + superpod(fabrics))
    found = {(d.code, d.message) for d in compilation.sink.diagnostics if d.code[:2] in "E3W3"}
    assert (
        "E301",
        "one QM9700 has 64 ports at this speed; fabric 'one_switch' has 1,016 endpoints",
    ) in found
    assert any(c == "E302" and "'no_breakout'" in m for c, m in found)
    # 127 storage ports on 32-downlink leaves: 4 leaves, 4 x 32 uplinks on 2 spines.
    assert ("E304", "fabric 'declared' declares 1 leaf switches; it needs 4") in found
    assert (
        "W303",
        "fabric 'declared' declares 3 spine switches; it needs 2, so 1 are spare",
    ) in found
    e302 = next(d for d in compilation.sink.diagnostics if d.code == "E302")
    assert e302.span is not None
    assert e302.span.line == text_line(compilation.sources[e302.span.file], "fabric no_breakout")
    assert e302.notes[0] == "127 endpoints: 127 x DGX_H100 x 1 port"


def text_line(text: str, fragment: str) -> int:
    lines = text.split("\n")
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


TRAIN = """
  train "llama" {
    params = 70 billion
    tokens = 1 trillion
    mfu    = 40%
  }
"""


def test_w301_oversubscribed_training_fabric(tmp_path: Path) -> None:
    # At 3:1 a 64-port leaf has 48 downlinks: 3 leaves per rail, 16 uplinks each on 8 spines.
    oversubscribed = COMPUTE.replace("1:1", "3:1")
    compilation = compile_text(tmp_path, superpod(oversubscribed, extra=TRAIN))
    (w301,) = [d for d in compilation.sink.diagnostics if d.code == "W301"]
    assert "3:1 oversubscription" in w301.message
    assert w301.help == (
        "use oversubscription = 1:1: 32 leaf and 16 spine switches instead of 24 and 8"
    )
    # Without a training workload the compute fabric is not a training fabric ...
    assert "W301" not in codes(compile_text(tmp_path, superpod(oversubscribed)))
    # ... unless it says so.
    declared = oversubscribed.replace("rail_optimized", "rail_optimized\n    training = true")
    assert "W301" in codes(compile_text(tmp_path, superpod(declared)))


def test_w302_single_spine_not_single_homing(tmp_path: Path) -> None:
    # 127 frontend ports on 96-downlink SN5600 leaves at 3:1: two leaves whose 32
    # uplinks each fit one spine.
    fabric = """
  fabric frontend {
    connects         = frontend
    oversubscription = 3:1
    leaf             = SN5600
    tiers            = 2
  }
"""
    compilation = compile_text(tmp_path, superpod(COMPUTE + fabric))
    (w302,) = [d for d in compilation.sink.diagnostics if d.code == "W302"]
    assert w302.message.startswith("fabric 'frontend': one spine switch is a single point")
    assert "cuts off 127 endpoints (100% of the fabric)" in w302.message
    # The rail-optimized compute fabric, single-homed by design, is not warned about.
    assert "'compute'" not in " ".join(d.message for d in compilation.sink.diagnostics)


def test_graph_export(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, superpod(COMPUTE))
    dot, problem = export_graph(compilation, "dot", expand=False, fabric=None)
    assert problem is None
    for kind in ("endpoints", "leaf", "spine"):
        assert f'class="{kind}"' in dot
    assert '"spine" [label="16 spines", class="spine"]' in dot
    graphml, problem = export_graph(compilation, "graphml", expand=False, fabric="compute")
    assert problem is None
    graph = nx.parse_graphml(graphml)
    counts = {d["kind"]: 0.0 for _, d in graph.nodes(data=True)}
    for _, data in graph.nodes(data=True):
        counts[data["kind"]] += data["count"]
    assert counts == {"endpoints": 1016, "leaf": 32, "spine": 16}
    expanded, problem = export_graph(compilation, "graphml", expand=True, fabric=None)
    assert problem is None and nx.parse_graphml(expanded).number_of_nodes() == 1016 + 48
    _, problem = export_graph(compilation, "dot", expand=False, fabric="compte")
    assert problem == "no fabric 'compte' (did you mean 'compute'?); the sized fabrics are: compute"


def test_graph_export_problems(tmp_path: Path) -> None:
    big = hall("A", "2000 x DGX_H100_rack", mw=90, positions=2100)
    compilation = compile_text(tmp_path, superpod(COMPUTE, big))
    _, problem = export_graph(compilation, "dot", expand=True, fabric=None)
    assert problem is not None and "over the limit of 20,000" in problem
    text, problem = export_graph(compilation, "dot", expand=False, fabric=None)
    assert problem is None and text.startswith('graph "compute" {')
    broken = compile_text(tmp_path, 'factory "x" {\n  site { pue = }\n}\n')
    _, problem = export_graph(broken, "dot", expand=False, fabric=None)
    assert problem is not None and "errors" in problem
