"""The design reaches the training time: fabric taper, scale-up domain, storage, a lost spine.

Each test compiles a small factory through the whole pipeline and checks the
train workload's figures against hand calculations with the catalog's
numbers: H100 NVLink 900 GB/s both ways (450 GB/s a direction), GB200 NVLink
1.8 TB/s (900 GB/s), one 400 Gb/s (50 GB/s) compute NIC per GPU, collectives
at 80% of either (`scale_up_efficiency`, `scale_out_efficiency`), and the
bus-bandwidth model of nccl-tests: a reduce-scatter or all-gather of S bytes
over n ranks moves S x (n - 1) / n per GPU, first inside the scale-up domain,
then across domains on the NICs; traffic that leaves a leaf runs 1/o as fast
on an o:1 fabric.
"""

from __future__ import annotations

import math

import pytest

from aiflang.analyses.facts import Facts
from aiflang.driver import compile_source
from aiflang.models.assumptions import Assumptions
from aiflang.report import TrainReport

NVLINK_H100 = 450e9 * 0.8  # bytes/s a direction, at the collective efficiency
NVLINK_GB200 = 900e9 * 0.8
NIC = 50e9 * 0.8
MTBF_GPU_S = 54 * 86400 * 16384 / 419  # Llama 3: 419 interruptions, 54 days, 16,384 GPUs
RESTART_S = 600.0


def _design(
    *,
    rack: str = "DGX_H100_rack",
    racks: int = 16,
    oversubscription: str = "1:1",
    storage_bandwidth: str = "100 GB/s",
    storage: str | None = None,
    prelude: str = "",
    train: str,
) -> str:
    storage = (
        storage
        or f"""capacity  = 1 PB
    bandwidth = {storage_bandwidth}
    power     = 10 kW"""
    )
    return f"""{prelude}factory "t" {{
  site {{ pue = 1.2, power_price = 0.1 USD/kWh, build_cost = 10 million USD/MW }}
  rack NVL8 extends GB200_NVL72 {{
    scale_up = nvlink {{ domain = 8 }}
  }}
  hall A {{
    it_power   = 3 MW
    ups        = 4 x 1 MW
    redundancy = N+1
    cooling    = {{ liquid = 2 MW, air = 1 MW }}
    positions  = 64
    racks      = {racks} x {rack}
  }}
  storage ckpt {{
    {storage}
  }}
  fabric compute {{
    connects         = compute
    topology         = fat_tree
    oversubscription = {oversubscription}
    leaf             = QM9700
    spine            = QM9700
  }}
  train "run" {{
{train}
  }}
}}
"""


def _run(**kwargs: str | int) -> tuple[TrainReport, Facts]:
    compilation = compile_source(_design(**kwargs))  # type: ignore[arg-type]
    errors = [d.message for d in compilation.sink.diagnostics if d.severity == "error"]
    assert errors == []
    facts = compilation.facts[0]
    (train,) = facts.train
    return train, facts


# Llama 3.1 8B, data parallel only, short sequences and a small batch: each GPU
# reduce-scatters 4-byte gradients and all-gathers 2-byte weights of all 8.03e9
# parameters every step, with one micro-batch of compute to hide them under.
DP_HEAVY = """    model           = Llama3_1_8B
    tokens          = 1 trillion
    sequence_length = 2048
    global_batch    = 512
    parallelism     = { tp = 1, pp = 1, cp = 1, zero = 1 }"""


def _dp_traffic(domains_per_leaf: int, oversubscription: float, spine_share: float = 1.0) -> float:
    """Seconds of ZeRO-1 gradient and weight traffic over 512 H100s (64 DGX of 8)."""
    volume = 8.03e9 * (4 + 2)
    inside = volume * 7 / 8 / NVLINK_H100
    cross = 1 - domains_per_leaf / 64  # peers beyond the leaf cross the spines
    factor = (1 - cross) + cross * oversubscription / spine_share
    across = volume / 8 * 63 / 64 / (NIC / factor)
    return inside + across


def test_a_4_to_1_fabric_slows_a_data_parallel_job() -> None:
    flat, facts_flat = _run(train=DP_HEAVY)
    tapered, facts_tapered = _run(train=DP_HEAVY, oversubscription="4:1")
    assert flat.plan is not None and flat.plan.label == "TP1 PP1 DP512 ZeRO-1"
    # QM9700 (64 ports): 32 down and 32 up at 1:1, 49 down and 15 up at 4:1; a DGX H100
    # puts 8 endpoints on the fabric, so 4 and 6 DGX share a leaf
    assert facts_flat.fabric_plans["compute"].leaf_downlinks == 32
    assert facts_tapered.fabric_plans["compute"].leaf_downlinks == 49
    assert flat.compute_s == pytest.approx(tapered.compute_s)
    # a micro-batch of 2,048 tokens per GPU: GEMMs at Hopper's BF16 fraction (59.3%) and the
    # element-wise kernels at 81% of 3.35 TB/s (102 bytes per hidden-state element per layer);
    # the report's compute also holds the once-a-step wait on the host (46.8 ms)
    gemm = 2048 * (6 * 8.03e9 + 6 * 32 * 2048 * 4096) / (989.4e12 * 0.593)
    elementwise = 102 * 2048 * 4096 * 32 / (3.35e12 * 0.81)
    host = Assumptions().value("train_step_host_s")
    assert flat.compute_s == pytest.approx(gemm + elementwise + host, rel=1e-6)
    assert flat.compute_s == pytest.approx(0.23069, rel=1e-4)
    # the traffic hides under 90% of one micro-batch's compute (train_dp_overlap)
    hidden = 0.9 * (gemm + elementwise)
    assert flat.exposed_s["dp"] == pytest.approx(_dp_traffic(4, 1.0) - hidden, rel=1e-6)
    assert tapered.exposed_s["dp"] == pytest.approx(_dp_traffic(6, 4.0) - hidden, rel=1e-6)
    assert _dp_traffic(4, 1.0) == pytest.approx(0.26531, rel=1e-4)
    assert _dp_traffic(6, 4.0) == pytest.approx(0.66826, rel=1e-4)
    # 0.331 s against 0.733 s a step: the tapered fabric trains at 45% of the speed
    assert flat.step_s == pytest.approx(0.33050, rel=1e-4)
    assert tapered.step_s == pytest.approx(0.73345, rel=1e-4)
    assert tapered.tokens_per_s / flat.tokens_per_s == pytest.approx(0.4506, rel=1e-3)
    assert tapered.time_s > 2 * flat.time_s


def test_losing_a_spine_slows_the_job_by_the_bisection_it_takes() -> None:
    train, facts = _run(train=DP_HEAVY)
    (spine,) = [f for f in facts.topologies["compute"].failures if f.switch_class == "spine"]
    assert spine.bisection_lost_share == pytest.approx(1 / 8)  # one of 8 spines of the pod
    # the report's compute holds the once-a-step wait on the host, under which nothing hides
    host = Assumptions().value("train_step_host_s")
    lost = _dp_traffic(4, 1.0, spine_share=7 / 8) - 0.9 * (train.compute_s - host)
    assert train.step_s_spine_lost == pytest.approx(train.compute_s + lost, rel=1e-6)
    assert train.step_s_spine_lost == pytest.approx(0.35035, rel=1e-4)  # 6% slower
    assert "train.run.step_s_spine_lost" in facts.derivations


# Qwen3 235B-A22B (94 MoE layers, 128 experts, 8 per token, width 4,096) with 64-way
# expert parallelism on 576 GB200s (8 racks).
MOE = """    model       = Qwen3_235B_A22B
    tokens      = 1 trillion
    parallelism = { tp = 1, cp = 1, ep = 64, pp = 9, zero = 1 }"""


def test_an_8_gpu_domain_sends_expert_traffic_over_the_nics() -> None:
    nvl72, _ = _run(rack="GB200_NVL72", racks=8, train=MOE)
    nvl8, facts8 = _run(rack="NVL8", racks=8, train=MOE)
    assert nvl72.plan is not None and nvl72.plan.microbatches == 31  # 1,954 sequences / dp 64
    # dispatch and combine, forward and backward: 4 x 8,192 tokens x 8 experts x 4,096 x 2 B
    # x 63/64, on the 11 MoE layers of the busiest of 9 stages, for 31 micro-batches
    volume = 4 * 8192 * 8 * 4096 * 2 * 63 / 64 * 11 * 31
    assert volume == pytest.approx(7.2085e11, rel=1e-4)
    # NVL72: all 64 ranks in one domain, on NVLink; half hidden (train_ep_overlap)
    assert nvl72.exposed_s["ep"] == pytest.approx(0.5 * volume / NVLINK_GB200, rel=1e-6)
    # NVL8: 7/8 of the tokens leave the domain, on the NIC; 3 domains share a leaf
    assert facts8.derivations["train.run.step_s"].inputs["domains_per_leaf"] == 3
    across = volume * (1 - 8 / 64) / NIC
    assert nvl8.exposed_s["ep"] == pytest.approx(0.5 * across, rel=1e-6)
    assert nvl8.exposed_s["ep"] == pytest.approx(7.884, rel=1e-3)
    # the same compute on both (GEMMs, and the routed copies' permute and combine traffic in HBM)
    assert nvl8.compute_s == pytest.approx(nvl72.compute_s)
    assert nvl8.step_s / nvl72.step_s == pytest.approx(2.114, rel=1e-3)


def test_a_dispatcher_that_syncs_with_the_host_slows_an_eager_moe() -> None:
    # EP 8 of 128 experts: 16 local experts a GPU, each 0.592 ms of host issue per MoE layer
    # per micro-batch; by default the host runs ahead of a GPU with far more to compute
    eager = MOE.replace("ep = 64", "ep = 8")
    default, facts = _run(rack="NVL8", racks=8, train=eager)
    synced, synced_facts = _run_with_assumptions(eager, "train_moe_sync_dispatch = 1")
    host = synced_facts.derivations["train.run.step_s"].inputs["host_s"]
    assert facts.derivations["train.run.step_s"].inputs["host_s"] == 0.0
    assert default.plan is not None and synced.plan is not None
    assert (default.plan.ep, synced.plan.ep) == (8, 8)
    m = synced.plan.microbatches
    # 11 MoE layers on the busiest of 9 stages, m micro-batches: at most all of the issue
    assert 0.0 < host < 16 * 0.592e-3 * 11 * m
    # the wait is part of compute in the report, and the bubble grows with it
    assert synced.compute_s - default.compute_s == pytest.approx(host, rel=1e-9)
    vp = synced.plan.vp
    assert default.plan.vp == vp
    assert synced.bubble_s - default.bubble_s == pytest.approx(host / m * 8 / vp, rel=1e-9)


def _run_with_assumptions(train: str, assumption: str) -> tuple[TrainReport, Facts]:
    design = _design(rack="NVL8", racks=8, train=train).replace(
        '  train "run"', f'  assumptions {{\n    {assumption}\n  }}\n  train "run"'
    )
    compilation = compile_source(design)
    errors = [d.message for d in compilation.sink.diagnostics if d.severity == "error"]
    assert errors == []
    facts = compilation.facts[0]
    (train_report,) = facts.train
    return train_report, facts


def test_nvl72_gets_another_plan_and_more_tokens_per_second() -> None:
    searched = MOE.replace("    parallelism = { tp = 1, cp = 1, ep = 64, pp = 9, zero = 1 }", "")
    nvl72, _ = _run(rack="GB200_NVL72", racks=8, train=searched)
    nvl8, _ = _run(rack="NVL8", racks=8, train=searched)
    assert nvl72.plan is not None and nvl8.plan is not None
    assert nvl72.plan.label != nvl8.plan.label
    assert nvl72.tokens_per_s > 1.05 * nvl8.tokens_per_s


def _daly_ettr(solve_s: float, checkpoint_s: float, gpus: int) -> float:
    mtbf = MTBF_GPU_S / gpus
    ratio = checkpoint_s / (2 * mtbf)
    interval = math.sqrt(2 * checkpoint_s * mtbf) * (1 + math.sqrt(ratio) / 3 + ratio / 9)
    interval -= checkpoint_s
    recover = RESTART_S + checkpoint_s
    wall = (
        mtbf
        * math.exp(recover / mtbf)
        * math.expm1((interval + checkpoint_s) / mtbf)
        * solve_s
        / interval
    )
    return solve_s / wall


def test_a_tenth_of_the_storage_bandwidth_lowers_goodput() -> None:
    body = """    model  = Llama3_1_405B
    tokens = 1 trillion"""
    fast, _ = _run(train=body, storage_bandwidth="100 GB/s")
    slow, _ = _run(train=body, storage_bandwidth="10 GB/s")
    assert fast.solve_time_s == pytest.approx(slow.solve_time_s)
    # 405.85e9 params x 14 B = 5.68 TB: 56.8 s at 100 GB/s, 568 s at 10 GB/s
    assert fast.checkpoint_s == pytest.approx(405.85e9 * 14 / 100e9)
    assert slow.checkpoint_s == pytest.approx(405.85e9 * 14 / 10e9)
    assert fast.ettr == pytest.approx(_daly_ettr(fast.solve_time_s, fast.checkpoint_s, 512))
    assert slow.ettr == pytest.approx(_daly_ettr(slow.solve_time_s, slow.checkpoint_s, 512))
    assert fast.ettr == pytest.approx(0.9804, abs=1e-4)  # Daly interval 1.76 h
    assert slow.ettr == pytest.approx(0.9415, abs=1e-4)  # Daly interval 5.5 h
    assert slow.time_s / fast.time_s == pytest.approx(fast.ettr / slow.ettr)


def test_storage_built_from_appliances_checkpoints_at_their_summed_bandwidth() -> None:
    body = """    model  = Llama3_1_405B
    tokens = 1 trillion"""
    appliance = """appliance flash_2u {
  capacity  = 50 TB
  bandwidth = 5 GB/s
  power     = 500 W
  height    = 2 U
  source    = "a design's own figures"
}
"""
    declared, _ = _run(train=body, storage_bandwidth="100 GB/s")
    built, _ = _run(train=body, prelude=appliance, storage="appliances = 20 x flash_2u")
    # 20 appliances x 5 GB/s = 100 GB/s: 405.85e9 params x 14 B / 100 GB/s = 56.8 s
    assert built.storage == "ckpt"
    assert built.checkpoint_s == pytest.approx(405.85e9 * 14 / 100e9)
    assert built.checkpoint_s == pytest.approx(declared.checkpoint_s)
    assert built.ettr == pytest.approx(declared.ettr)
    assert built.time_s == pytest.approx(declared.time_s)


def test_interruptions_faster_than_a_restart_are_e503_not_a_crash() -> None:
    # one interruption per GPU-second over 512 GPUs: every 2 ms, against a 600 s restart
    design = _design(train=DP_HEAVY).replace(
        '  train "run"', '  assumptions {\n    train_mtbf_per_gpu = 1 s\n  }\n  train "run"'
    )
    compilation = compile_source(design)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E503"]
    assert "never finishes" in error.message
    # 1 s / 512 GPUs = 1.95 ms; 600 s of restart and 1.1 s to read the 112 GB checkpoint
    # back at 100 GB/s
    assert "every 1.95 ms" in error.message and "takes 10 min" in error.message
    assert compilation.facts[0].train == []


def test_a_model_of_a_hundred_million_layers_is_planned_in_bounded_time() -> None:
    deep = """model Deep {
  params   = 100 billion
  layers   = 100000000
  hidden   = 128
  heads    = 1
  kv_heads = 1
  head_dim = 128
}
"""
    body = """    model  = Deep
    tokens = 1 trillion
    gpus   = 64"""
    compilation = compile_source(deep + _design(train=body))
    codes = {d.code for d in compilation.sink.diagnostics}
    assert "E509" in codes or compilation.facts[0].train


def test_a_latent_attention_model_is_charged_its_head_widths() -> None:
    # DeepSeek-R1 from the catalog: MLA with head_dim 128 and a 64-wide RoPE key, so queries
    # and keys are 192 wide and values 128: 128 heads x 160 = 20,480 of attention width, not
    # 7,168 / 128 x 128 = 7,168
    body = """    model           = DeepSeek_R1
    tokens          = 1 trillion
    sequence_length = 4096
    global_batch    = 4096
    parallelism     = { tp = 1, ep = 64, pp = 9, zero = 1 }"""
    train, _ = _run(rack="GB200_NVL72", racks=8, train=body)
    per_token = 6 * 37e9 + 6 * 61 * 4096 * 20_480
    assert train.flops == pytest.approx(1e12 * per_token, rel=1e-9)
    assert train.flops == pytest.approx(2.5270e23, rel=1e-4)
