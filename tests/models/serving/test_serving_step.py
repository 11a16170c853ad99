"""One decode step, term by term, on a toy replica whose figures can be checked by hand."""

from __future__ import annotations

import math

import pytest
from serving_parts import BARE, bare_assumptions

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving import (
    Accelerator,
    Architecture,
    Efficiency,
    Engine,
    Network,
    Replica,
    ReplicaShape,
    Request,
    Speculation,
    batch_limit,
    speculation,
)
from aiflang.models.serving.architecture import expected_max_normal
from aiflang.records import replace

GB = 1e9
# A round GPU: 100 GB, 1 TB/s, 1 PFLOP/s BF16, 2 PFLOP/s FP8, 100 GB/s per direction.
TOY_GPU = Accelerator("toy", 100 * GB, 1e12, {"bf16": 1e15, "fp8": 2e15}, 100e9)
# Everything achieved in full, so the terms are the plain quotients.
FULL = Efficiency(memory=1.0, compute={"bf16": 1.0, "fp8": 1.0}, attention=1.0, comm=1.0)
# 10B dense, 10 layers, width 1024, 8 heads of 128, 1 KV head.
TOY = Architecture("toy", 10e9, 10e9, 10, 1024, 8, 1, 128, ffn=4096)
ONE_DOMAIN = Network(scale_up_domain=8, scale_up_bandwidth=100e9)
ONE_GPU = ReplicaShape()


def replica(
    shape: ReplicaShape = ONE_GPU,
    arch: Architecture = TOY,
    engine: Engine = BARE,
    assumptions: Assumptions | None = None,
    precision: str = "bf16",
    efficiency: Efficiency = FULL,
) -> Replica:
    return Replica(
        arch=arch,
        precision=precision,
        kv_precision="bf16",
        gpu=TOY_GPU,
        efficiency=efficiency,
        engine=engine,
        network=ONE_DOMAIN,
        shape=shape,
        assumptions=assumptions or bare_assumptions(),
    )


def test_batch_one_streams_the_weights() -> None:
    step = replica().decode_step(1, 0)
    # 10e9 params x 2 bytes at 1 TB/s = 20 ms; 2 x 10e9 FLOPs at 1 PFLOP/s = 20 us
    assert step.total_s == pytest.approx(0.020)
    assert step.bound == "memory"
    assert step.weight_bytes_per_gpu == pytest.approx(20e9)


def test_large_batch_is_compute_bound() -> None:
    step = replica().decode_step(2000, 0)
    # 2 x 10e9 x 2000 = 4e13 FLOPs at 1e15: 40 ms, more than the 20 ms of weights
    assert step.compute_s == pytest.approx(0.040)
    assert step.bound == "compute"


def test_kv_cache_is_read_for_every_sequence() -> None:
    r = replica()
    step = r.decode_step(10, 1000)
    # KV per token: 2 x 10 layers x 1 head x 128 x 2 bytes = 5,120 bytes; 10 x 1000 tokens
    kv = 10 * 1000 * 5120
    assert step.kv_bytes_per_gpu == pytest.approx(kv)
    # attention FLOPs: 10 tokens x 4 x 1024 x 1000 x 10 layers = 4.1e9 at 1e15: memory-bound
    assert step.total_s == pytest.approx(0.020 + kv / 1e12)


def test_small_rows_lower_the_gemm_fraction() -> None:
    # M / (M + 64): 64 rows reach half the large-batch fraction
    r = replica(assumptions=bare_assumptions(gemm_half_efficiency_tokens=64.0))
    step = r.stage(64, 0)
    assert step.compute_s == 0  # 2 x 10e9 x 64 at half of 1e15 = 2.56 ms < 20 ms of weights
    step = r.stage(4000, 0)
    assert step.compute_s == pytest.approx(2 * 10e9 * 4000 / (1e15 * 4000 / 4064))


def test_block_scaled_fp8_weights_run_at_the_gpus_block_fraction() -> None:
    # 2000 tokens of a 10B model in FP8 at 2 PFLOP/s: 20 ms at the full fraction
    fractions = replace(FULL, compute={"bf16": 1.0, "fp8": 0.8}, block_fp8=0.4)
    block = replace(TOY, fp8_block_scaled=True)

    def compute_s(arch: Architecture, efficiency: Efficiency) -> float:
        r = replica(arch=arch, precision="fp8", efficiency=efficiency)
        return r.decode_step(2000, 0).compute_s

    assert compute_s(TOY, fractions) == pytest.approx(2 * 10e9 * 2000 / (2e15 * 0.8))
    assert compute_s(block, fractions) == pytest.approx(2 * 10e9 * 2000 / (2e15 * 0.4))
    # a GPU without a block fraction runs block-scaled weights at its FP8 fraction
    assert compute_s(block, replace(fractions, block_fp8=None)) == compute_s(TOY, fractions)
    # and the block fraction is FP8's alone: BF16 weights keep theirs
    assert fractions.gemm("bf16", bare_assumptions(), block=True) == 1.0


def test_tensor_parallel_splits_weights_and_pays_all_reduces() -> None:
    engine = Engine(
        "e",
        step_overhead_s=0.0,
        kernel_overhead_s=0.0,
        collective_latency_s=10e-6,
        max_batch=10_000,
        token_budget=100_000,
        memory_fraction=1.0,
    )
    step = replica(ReplicaShape(tp=4), engine=engine).decode_step(1, 0)
    # weights: 20 GB / 4 = 5 ms; all-reduces: 2 per layer x 10 layers, each 10 us + a
    # ring of 2 x 3/4 x 1024 x 2 bytes at 100 GB/s
    all_reduce = 10e-6 + 2 * 3 / 4 * 1024 * 2 / 100e9
    assert step.memory_s == pytest.approx(0.005)
    assert step.communication_s == pytest.approx(20 * all_reduce)


def test_expert_parallel_reads_only_touched_experts_and_pays_all_to_all() -> None:
    moe = Architecture(
        "moe", 64e9, 10e9, 10, 1024, 8, 1, 128, experts=64, experts_per_token=4
    )  # 1.0e9 per expert... (64 - 10) / (60 x 10) = 0.09e9 per expert per layer
    a = bare_assumptions(expert_load_imbalance=1.0)
    r = replica(ReplicaShape(dp=8, ep=8), arch=moe, assumptions=a)
    step = r.stage(1, 0)
    per_expert = 54e9 / (60 * 10)
    # dense (always-read) params: 10e9 - 4 x 0.09e9 x 10 = 6.4e9, whole on every GPU (tp 1)
    dense_bytes = (10e9 - 4 * per_expert * 10) * 2
    # one token touches 4 of 64 experts: 4/8 of one expert on each GPU on average, each of a
    # GPU's 8 experts with p = 1/16; the busiest of 8 GPUs reads mean + z(8) sd experts, z(8) =
    # 1.4236 the expected largest of 8 standard normals (Harter 1961)
    busiest = 0.5 + 1.4236 * math.sqrt(8 * (1 / 16) * (15 / 16))
    routed_bytes = busiest * per_expert * 10 * 2
    assert step.weight_bytes_per_gpu == pytest.approx(dense_bytes + routed_bytes, rel=1e-4)
    # dispatch (1 byte) and combine (2 bytes) of 1/8 token to (7)(1 - (7/8)^4) remote GPUs
    remote = 7 * (1 - (7 / 8) ** 4)
    volume = 1 / 8 * remote * 1024 * 3
    assert step.communication_s == pytest.approx(10 * volume / 100e9)


def test_prompts_in_whole_chunks_read_the_experts_of_two_kinds_of_step() -> None:
    moe = Architecture("moe", 64e9, 10e9, 10, 1024, 8, 1, 128, experts=64, experts_per_token=4)
    r = replica(arch=moe, assumptions=bare_assumptions(expert_kernel_efficiency=1.0))
    per_expert = 54e9 / (60 * 10)
    dense_bytes = (10e9 - 4 * per_expert * 10) * 2

    def touched(tokens: float) -> float:  # expected distinct experts of 64 per layer
        return 64 * (1 - (1 - 4 / 64) ** tokens)

    # 4 decode tokens and a mean of 10 prompt tokens a step, spread: 14 tokens every step
    spread = r.stage(4, 0, prefill_tokens=10.0)
    assert spread.weight_bytes_per_gpu == pytest.approx(
        dense_bytes + touched(14) * per_expert * 10 * 2
    )
    # the same 10 a step as 1,000-token chunks: one step in 100 carries a chunk (and touches
    # every expert), the other 99 decode alone
    chunked = r.stage(4, 0, prefill_tokens=10.0, prefill_chunk=1000.0)
    mean_touched = 0.01 * touched(1004) + 0.99 * touched(4)
    assert chunked.weight_bytes_per_gpu == pytest.approx(
        dense_bytes + mean_touched * per_expert * 10 * 2
    )
    assert touched(1004) == pytest.approx(64.0)
    # every routed GEMM here streams weights: the step is the bytes at 1 TB/s
    assert chunked.total_s == pytest.approx(chunked.weight_bytes_per_gpu / 1e12)
    assert chunked.total_s < spread.total_s
    # a chunk no larger than the mean is spread as before
    assert r.stage(4, 0, prefill_tokens=10.0, prefill_chunk=10.0) == spread


def test_the_busiest_expert_parallel_gpu_paces_weight_reads() -> None:
    moe = Architecture("moe", 64e9, 10e9, 10, 1024, 8, 1, 128, experts=64, experts_per_token=4)
    # without expert parallelism the mean is the whole story
    assert moe.busiest_experts_touched(1, 1) == pytest.approx(moe.experts_touched(1))
    # a batch that touches every expert on every GPU: the busiest reads its 8, as all do
    assert moe.busiest_experts_touched(10_000, 8) == pytest.approx(8.0)
    # never more than a GPU holds: 2 tokens over 32 GPUs of 2 experts each
    assert moe.busiest_experts_touched(2, 32) <= 2.0


def test_routed_copies_are_permuted_by_the_gpus_holding_their_experts() -> None:
    # 10 MoE layers of 64 experts, top 4, width 1024; only the routing passes move bytes
    moe = Architecture("moe", 64e9, 10e9, 10, 1024, 8, 1, 128, experts=64, experts_per_token=4)
    tokens = 1000.0

    def elementwise(shape: ReplicaShape) -> float:
        # the step with the routing passes less the same step without them
        def step(passes: float) -> float:
            a = bare_assumptions(activation_route_passes=passes, expert_load_imbalance=1.0)
            return replica(shape, arch=moe, assumptions=a).stage(tokens, 0).total_s

        return step(4.0) - step(0.0)

    # every copy of every token, 4 passes of 1024 values of 2 bytes, 10 layers, at 1 TB/s
    all_copies = tokens * 4 * 4 * 1024 * 2 * 10 / 1e12
    # one GPU holds every expert: it moves all 4 copies of each token
    assert elementwise(ONE_GPU) == pytest.approx(all_copies)
    # tensor-parallel attention over 8 with experts over the same 8: every rank sees every
    # token and moves only the copies routed to its 8 experts, 4 / 8 per token
    assert elementwise(ReplicaShape(tp=8, ep=8)) == pytest.approx(all_copies / 8)
    # attention data-parallel over 8: the same share, each rank's tokens spread by dispatch
    assert elementwise(ReplicaShape(dp=8, ep=8)) == pytest.approx(all_copies / 8)
    # experts split over 8 tensor-parallel ranks (ep 1): each rank moves every copy
    assert elementwise(ReplicaShape(tp=8)) == pytest.approx(all_copies)


def test_expected_largest_of_normals_matches_the_published_table() -> None:
    # Harter (1961), expected values of normal order statistics: 0.5642, 1.0294, 1.4236, 2.0697
    for count, value in ((2, 0.5642), (4, 1.0294), (8, 1.4236), (32, 2.0697)):
        assert expected_max_normal(count) == pytest.approx(value, abs=2e-4)
    assert expected_max_normal(1) == 0.0


def test_floor_and_host_overlap() -> None:
    engine = Engine(
        "e",
        step_overhead_s=0.050,
        kernel_overhead_s=5e-6,
        collective_latency_s=0.0,
        max_batch=10_000,
        token_budget=100_000,
        memory_fraction=1.0,
        sequence_overhead_s=1e-3,
    )
    a = bare_assumptions(small_kernels_per_layer=8.0)
    r = replica(engine=engine, assumptions=a)
    # GPU: 20 ms of weights + 8 kernels x 5 us x 10 layers; host 50 ms + 1 ms x 1: the
    # GPU waits for the host, so the step is 51 ms
    step = r.decode_step(1, 0)
    assert step.total_s == pytest.approx(0.051)
    assert step.floor_s == pytest.approx(0.051 - 0.020)


def test_a_per_layer_overhead_adds_to_the_kernel_floor() -> None:
    engine = Engine(
        "piecewise",
        step_overhead_s=0.0,
        kernel_overhead_s=5e-6,
        collective_latency_s=0.0,
        max_batch=10_000,
        token_budget=100_000,
        memory_fraction=1.0,
        layer_overhead_s=200e-6,
    )
    r = replica(engine=engine, assumptions=bare_assumptions(small_kernels_per_layer=8.0))
    # 10 layers x (8 kernels x 5 us + 200 us) = 2.4 ms on top of 20 ms of weights
    step = r.decode_step(1, 0)
    assert step.floor_s == pytest.approx(10 * (8 * 5e-6 + 200e-6))
    assert step.total_s == pytest.approx(0.020 + 0.0024)


def test_whole_graph_decode_steps_skip_the_launches_and_the_per_layer_overhead() -> None:
    engine = replace(BARE, kernel_overhead_s=5e-6, layer_overhead_s=200e-6, decode_graphs=True)
    a = bare_assumptions(small_kernels_per_layer=8.0, graph_kernel_overhead_s=1e-6)
    r = replica(engine=engine, assumptions=a)
    launched = 8 * 5e-6 + 200e-6  # a step with prompt tokens, per layer
    graphed = 8 * 1e-6  # a decode-only step replays one graph, per layer
    assert r.stage(1, 0).floor_s == pytest.approx(10 * graphed)
    # prompts in every step (no chunk size, or a mean that fills a chunk a step)
    assert r.stage(1, 0, prefill_tokens=50.0).floor_s == pytest.approx(10 * launched)
    assert r.stage(1, 0, prefill_tokens=50.0, prefill_chunk=50.0).floor_s == pytest.approx(
        10 * launched
    )
    # a mean of 50 prompt tokens a step in chunks of 200: one step in four carries a chunk
    step = r.stage(1, 0, prefill_tokens=50.0, prefill_chunk=200.0)
    assert step.floor_s == pytest.approx(10 * (0.25 * launched + 0.75 * graphed))
    # without whole graphs every step pays the launches and the per-layer overhead
    plain = replica(engine=replace(engine, decode_graphs=False), assumptions=a)
    assert plain.stage(1, 0).floor_s == pytest.approx(10 * launched)


def test_pipeline_stages_split_layers_and_hand_off() -> None:
    r = replica(ReplicaShape(tp=1, pp=2))
    step = r.decode_step(2, 0)
    # each stage holds half the weights (10 ms per microbatch of 1), two stages in turn,
    # one hand-off of 1 x 1024 x 2 bytes at 100 GB/s
    assert step.memory_s == pytest.approx(0.020)
    assert step.communication_s == pytest.approx(1024 * 2 / 100e9)


def test_speculation_verifies_more_tokens_and_drafts() -> None:
    r = replica()
    plain = r.decode_step(1, 0)
    spec = r.decode_step(1, 0, query_tokens=4, draft_passes=3)
    # verification still reads the weights once; three one-layer drafts add 3 x 2 ms
    assert spec.total_s == pytest.approx(plain.total_s + 3 * 0.002)


def test_each_draft_also_runs_its_projection_and_the_shared_output_head() -> None:
    # a 32,000-token vocabulary: the head holds 32,000 x 1,024 = 32.768M parameters and the
    # draft module's projection 2 x 1,024^2 = 2.097M (DeepSeek-V3 report, section 2.2)
    arch = replace(TOY, vocab=32_000)
    r = replica(arch=arch)
    head_params = 32_000 * 1024 + 2 * 1024 * 1024
    head = r.draft_head(1)
    # bf16: 2 x 34.865M bytes at 1 TB/s = 69.73 us; 2 x 34.865M FLOPs at 1e15 is 70 ns
    assert head.memory_s == pytest.approx(2 * head_params / 1e12)
    assert head.compute_s == 0
    plain = r.decode_step(1, 0)
    spec = r.decode_step(1, 0, query_tokens=4, draft_passes=3)
    # the drafts' block: the streamed weights (10e9 less the gathered 32.768M embedding)
    # over 10 layers, 2 bytes each, at 1 TB/s
    block = (10e9 - 32_000 * 1024) / 10 * 2 / 1e12
    assert spec.total_s == pytest.approx(plain.total_s + 3 * (block + 2 * head_params / 1e12))
    # split over two tensor-parallel ranks, and compute-bound at 100,000 sequences
    assert replica(ReplicaShape(tp=2), arch).draft_head(1).memory_s == pytest.approx(
        head_params / 1e12
    )
    big = r.draft_head(100_000)
    assert big.compute_s == pytest.approx(2 * 100_000 * head_params / 1e15)
    assert big.memory_s == 0
    # a model without a vocabulary has no head to charge
    assert replica().draft_head(8).total_s == 0


def test_acceptance_length_sums_the_i_i_d_acceptances() -> None:
    assumptions = Assumptions()
    alpha = assumptions.value("draft_acceptance")
    decay = assumptions.value("draft_acceptance_decay")
    two = speculation(2, None, assumptions)
    assert two.acceptance_length == pytest.approx(1 + alpha + alpha * alpha * decay)
    # a huge draft count adds nothing past the terms a float holds, and costs no time
    assert speculation(10**8, None, assumptions).acceptance_length == pytest.approx(
        speculation(200, None, assumptions).acceptance_length
    )
    assert speculation(3, 2.5, assumptions).acceptance_length == 2.5


def test_batch_limit_by_kv_capacity() -> None:
    a = bare_assumptions()
    r = replica(assumptions=a)
    request = Request(input_tokens=900, output_tokens=200)
    limit = batch_limit(r, request, Speculation(), aggregated=False)
    # 100 GB - 20 GB of weights = 80 GB; a sequence holds 900 + 200 x (1 + 1) / 2 = 1100
    # tokens (request lengths spread with scv 1) x 5,120 bytes
    assert limit.kv_per_sequence_per_gpu == pytest.approx(1100 * 5120)
    assert limit.batch == int(80e9 // (1100 * 5120))
    assert limit.binding == "kv_capacity"


def test_batch_limit_by_token_budget_in_aggregated_serving() -> None:
    engine = Engine(
        "e",
        step_overhead_s=0.0,
        kernel_overhead_s=0.0,
        collective_latency_s=0.0,
        max_batch=10_000,
        token_budget=8192,
        memory_fraction=1.0,
    )
    r = replica(engine=engine)
    limit = batch_limit(r, Request(1000, 100), Speculation(), aggregated=True)
    # each sequence brings 1 decode token and 1000 / 100 prompt tokens per step
    assert limit.limits["token_budget"] == 8192 // 11
    assert limit.binding == "token_budget"


def test_weights_that_do_not_fit() -> None:
    big = Architecture("big", 60e9, 60e9, 10, 1024, 8, 1, 128)
    limit = batch_limit(replica(arch=big), Request(100, 100), Speculation(), aggregated=True)
    assert limit.batch == 0 and limit.binding == "weights"
