"""DeepSeek-R1 on two 8-GPU H800 nodes: a replica that spans nodes over the compute fabric.

671B parameters in FP8 are 671 GB; one HGX H800 holds 8 x 80 GB x 90% =
576 GB for weights and KV cache, so the model needs two nodes, joined by
the compute fabric (the deployment DeepSeek describes for its own serving).
Without a compute fabric no replica leaves its node, and the model does not
fit (E501).
"""

from __future__ import annotations

from aiflang.driver import compile_source

NODES = """
node hgx_h800 extends HGX_H200 {
  gpus = 8 x H800
}

rack two_h800 {
  nodes   = 2 x hgx_h800
  cooling = air
}
"""
FACTORY = """
factory "r1-two-nodes" {{
  site {{ pue = 1.25 }}

  hall A {{
    it_power   = 40 kW
    ups        = 3 x 20 kW
    redundancy = N+1
    cooling    = {{ air = 40 kW }}
    positions  = 2
    racks      = 1 x two_h800
  }}
{fabric}
  serve "r1" {{
    model     = DeepSeek_R1
    precision = fp8
    user_rate = 20 tokens/s
  }}
}}
"""
FABRIC = """
  fabric compute {
    technology  = infiniband
    connects    = compute
    topology    = rail_optimized
    leaf        = QM9700
    spine       = QM9700
    transceiver = OSFP_800G_SR8
  }
"""


def test_deepseek_r1_spans_two_h800_nodes_over_the_compute_fabric() -> None:
    compilation = compile_source(NODES + FACTORY.format(fabric=FABRIC))
    errors = [d for d in compilation.sink.diagnostics if d.is_error]
    assert errors == []
    (serve,) = compilation.facts[0].serve
    assert serve.gpus == 16 and serve.gpus_per_replica == 16
    assert serve.replicas == 1 and serve.tokens_per_s > 0
    # every GPU holds a share of the 256 routed experts: expert parallel over both nodes
    assert serve.parallelism.ep == 16


def test_without_a_compute_fabric_it_does_not_fit_one_node() -> None:
    compilation = compile_source(NODES + FACTORY.format(fabric=""))
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E501"]
    assert "576 GB usable on the largest replica, 8 x H800" in error.message
