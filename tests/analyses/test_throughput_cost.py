"""The throughput and cost passes, through the whole pipeline, against hand calculations.

The small factory: 4 x DGX_H100_rack (4 DGX H100 each, 40.8 kW, 1.6 million
USD) = 128 H100 GPUs (989.4 TFLOPS BF16 dense), 163.2 kW of racks, PUE 1.25,
no fabric, so its IT load is the racks plus what storage it declares.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from aiflang.analyses.facts import Facts
from aiflang.driver import Compilation, compile_source
from aiflang.resources import catalog_dir
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source

YEAR_S = 31_536_000.0
H100_BF16 = 989.4e12

SITE = "site { pue = 1.25, power_price = 0.1 USD/kWh, build_cost = 10 million USD/MW }"
HALL = """
  hall A {
    it_power   = 200 kW
    ups        = 3 x 100 kW
    redundancy = N+1
    cooling    = { air = 200 kW }
    positions  = 4
    racks      = 4 x DGX_H100_rack
  }
"""
FINANCE = """
  finance {
    horizon          = 3 years
    software_license = 4500 USD/GPU/year
    utilization      = 80%
  }
"""


def _compile(tmp_path: Path, body: str, *, finance: str = FINANCE) -> tuple[Compilation, Facts]:
    compilation = compile_source(f'factory "small" {{\n  {SITE}\n{HALL}{body}{finance}}}\n')
    assert compilation.facts, [d.message for d in compilation.sink.diagnostics]
    return compilation, compilation.facts[0]


def _codes(compilation: Compilation) -> list[str]:
    return [d.code for d in compilation.sink.diagnostics]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


TRAIN_70B = """
  train "llama-70b" {
    params    = 70 billion
    tokens    = 1 trillion
    precision = bf16
    mfu       = 40%
  }
"""


# The 70B model known only by its parameter count: d = (120 x 70e9 / 12)^(1/3) = 8,879,
# 74 layers, width 128 x 69 = 8,832 (kv_aspect_ratio 120); FLOPs per token = 6 x 70e9 +
# 6 x 74 layers x 8,192 tokens x 8,832 (attention, PaLM appendix B) = 4.5212e11.
FLOPS_PER_TOKEN_70B = 6 * 70e9 + 6 * 74 * 8192 * 8832
# Llama 3's interruption rate: 54 days x 16,384 GPUs / 419 interruptions, per GPU
MTBF_GPU_S = 54 * 86400 * 16384 / 419


def test_training_time_and_gpu_hours_of_a_small_h100_design(tmp_path: Path) -> None:
    compilation, facts = _compile(tmp_path, TRAIN_70B)
    (train,) = facts.train
    assert pytest.approx(4.5212e11, rel=1e-4) == FLOPS_PER_TOKEN_70B
    assert train.gpus == 128
    assert train.gpu_model == "H100"
    assert train.plan is not None and train.plan.gpus == 128
    assert train.mfu_declared
    # a declared MFU: solve time = tokens x FLOPs per token / (GPUs x peak x MFU)
    solve = 1e12 * FLOPS_PER_TOKEN_70B / (128 * H100_BF16 * 0.40)
    assert train.solve_time_s == pytest.approx(solve, rel=1e-9)
    assert train.solve_time_s == pytest.approx(8_925_157, rel=1e-6)  # about 103 days
    # no storage: checkpoints are free, so Daly's wall time is solve x e^(R/M), M = MTBF / GPUs
    wall = solve * math.exp(600.0 / (MTBF_GPU_S / 128))
    assert train.time_s == pytest.approx(wall, rel=1e-6)
    assert train.ettr == pytest.approx(0.99958, abs=1e-5)
    assert train.gpu_hours == pytest.approx(128 * wall / 3600, rel=1e-6)
    # facility energy = GPUs x time x (IT load / GPUs) x PUE = IT load x time x PUE
    assert train.energy_j == pytest.approx(163_200 * wall * 1.25, rel=1e-6)
    assert "train.llama-70b.time_s" in facts.derivations
    assert "E503" not in _codes(compilation)


def test_training_on_stated_gpus_scales_inversely(tmp_path: Path) -> None:
    body = TRAIN_70B.replace("mfu       = 40%", "mfu       = 40%\n    gpus      = 32")
    _, facts = _compile(tmp_path, body)
    (train,) = facts.train
    assert train.gpus == 32
    solve = 1e12 * FLOPS_PER_TOKEN_70B / (32 * H100_BF16 * 0.40)
    assert train.solve_time_s == pytest.approx(solve, rel=1e-9)


def test_training_without_mfu_runs_the_step_time_model(tmp_path: Path) -> None:
    body = TRAIN_70B.replace("precision = bf16\n    mfu       = 40%", "precision = fp8")
    _, facts = _compile(tmp_path, body)
    (train,) = facts.train
    assert not train.mfu_declared
    assert train.plan is not None
    # the step is its parts; MFU is an output, below the fitted compute fraction (54.8%)
    parts = train.compute_s + train.bubble_s + sum(train.exposed_s.values())
    assert train.step_s == pytest.approx(parts, rel=1e-9)
    assert 0.2 < train.mfu < 0.548
    assert train.global_batch == math.ceil(16e6 / 8192)  # the registered 16M-token batch
    # MFU = model FLOPs per second / (GPUs in the plan x dense FP8 peak)
    mfu = train.tokens_per_s * FLOPS_PER_TOKEN_70B / (train.plan.gpus * 1978.9e12)
    assert train.mfu == pytest.approx(mfu, rel=1e-6)
    # the step trains whole micro-batches: at least the global batch of tokens
    assert train.tokens_per_s * train.step_s >= train.global_batch * train.sequence_length


def test_fp4_training_on_hopper_is_e502_at_the_workload(tmp_path: Path) -> None:
    body = TRAIN_70B.replace("precision = bf16", "precision = fp4")
    compilation, facts = _compile(tmp_path, body)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E502"]
    assert "H100 has no fp4 compute" in error.message
    assert error.span is not None
    text = compilation.sources[error.span.file]
    assert error.span.line == _line_of(text, 'train "llama-70b"')
    assert facts.train == []


def test_training_longer_than_the_horizon_is_e503(tmp_path: Path) -> None:
    body = TRAIN_70B.replace("70 billion", "405 billion").replace("1 trillion", "15.6 trillion")
    compilation, facts = _compile(tmp_path, body)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E503"]
    (train,) = facts.train
    # at least 6 x 405e9 x 15.6e12 / (128 x 989.4 TFLOPS x 40%) = 8,658 days, attention on top
    days = train.time_s / 86400
    assert days > 6 * 405e9 * 15.6e12 / (128 * H100_BF16 * 0.40) / 86400
    assert f"{days:,.0f} days" in error.message
    assert "1,095-day horizon" in error.message


def test_more_gpus_than_the_factory_is_e504(tmp_path: Path) -> None:
    body = TRAIN_70B.replace("mfu       = 40%", "mfu       = 40%\n    gpus      = 1000")
    compilation, _ = _compile(tmp_path, body)
    assert "E504" in _codes(compilation)


def test_slow_checkpoint_is_w501(tmp_path: Path) -> None:
    storage = """
  storage fast {
    capacity  = 1 PB
    bandwidth = 10 GB/s
    power     = 10 kW
    price     = 500000 USD
  }
"""
    compilation, facts = _compile(tmp_path, storage + TRAIN_70B)
    # 70e9 params x 14 bytes = 980 GB at 10 GB/s = 98 s, over the 60 s threshold
    assert facts.train[0].checkpoint_s == pytest.approx(98.0)
    (warning,) = [d for d in compilation.sink.diagnostics if d.code == "W501"]
    assert "98 s" in warning.message


SERVE_70B = """
  serve "chat" {
    params    = 70 billion
    precision = fp8
    user_rate = 30 tokens/s
  }
"""


def test_tokens_per_mw_is_tokens_over_facility_megawatts(tmp_path: Path) -> None:
    _, facts = _compile(tmp_path, SERVE_70B)
    (serve,) = facts.serve
    assert serve.gpus == 128
    assert serve.gpu_model == "H100"
    assert serve.replicas * serve.gpus_per_replica <= 128
    assert serve.tokens_per_s > 0
    # all 128 GPUs: the whole facility, 4 x 40.8 kW x 1.25 = 204 kW
    assert serve.tokens_per_s_per_mw == pytest.approx(serve.tokens_per_s / 0.204, rel=1e-9)
    assert serve.joules_per_token == pytest.approx(204_000 / serve.tokens_per_s, rel=1e-9)
    assert serve.user_rate_tokens_per_s is not None and serve.user_rate_tokens_per_s >= 30
    assert serve.time_to_first_token_s is not None and serve.time_to_first_token_s > 0
    for figure in ("tokens_per_s", "tokens_per_s_per_mw", "batch", "cost_per_million_tokens_usd"):
        assert f"serve.chat.{figure}" in facts.derivations


def test_serve_workloads_split_the_fleet_and_its_power(tmp_path: Path) -> None:
    second = SERVE_70B.replace('"chat"', '"batch"').replace("    user_rate = 30 tokens/s\n", "")
    shared = SERVE_70B.replace('"chat"', '"quarter"').replace(
        "user_rate = 30 tokens/s", "share = 25%"
    )
    _, facts = _compile(tmp_path, SERVE_70B + second + shared)
    gpus = {s.name: s.gpus for s in facts.serve}
    assert gpus == {"quarter": 32, "chat": 48, "batch": 48}
    for serve in facts.serve:
        facility_mw = 0.204 * serve.gpus / 128
        assert serve.tokens_per_s_per_mw == pytest.approx(serve.tokens_per_s / facility_mw)


def test_model_too_big_for_the_domain_is_e501(tmp_path: Path) -> None:
    body = SERVE_70B.replace("70 billion", "1 trillion").replace("fp8", "bf16")
    compilation, facts = _compile(tmp_path, body)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E501"]
    # 8 x 80 GB x 90% = 576 GB usable; 1e12 x 2 bytes = 2,000 GB of weights
    assert "576 GB usable" in error.message
    assert "8 x H100" in error.message
    assert facts.serve == []


def test_a_request_whose_kv_cache_does_not_fit_is_e501_and_w503(tmp_path: Path) -> None:
    body = SERVE_70B.replace("params    = 70 billion", "model = Llama3_1_70B").replace(
        "precision = fp8", "precision = fp8\n    input_tokens = 4000000\n    output_tokens = 1"
    )
    compilation, facts = _compile(tmp_path, body)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E501"]
    # 80 layers x 2 x 8 KV heads x 128 = 163,840 values a token, one byte each in fp8:
    # 4,000,001 tokens hold 655 GB, beside 71 GB of weights, on 8 x 80 GB x 90% = 576 GB
    assert "71 GB of weights and 655 GB of KV cache for one request" in error.message
    assert "576 GB usable on the largest replica, 8 x H100" in error.message
    assert "W503" in _codes(compilation)
    assert facts.serve == []


def _h100_with(attribute: str, value: str) -> str:
    """The catalog's H100 with one attribute replaced; appended to a design, it shadows it."""
    text = (catalog_dir() / "gpus.aif").read_text(encoding="utf-8")
    for entry in parse_source(text, "gpus.aif").module.entries:
        if isinstance(entry, ast.Block) and entry.kind == "gpu" and entry.name == "H100":
            block = text[entry.span.offset : entry.span.end_offset]
            return re.sub(rf"(?m)^(\s*{attribute}\s*=).*$", rf"\g<1> {value}", block)
    raise AssertionError("no H100 in the catalog")


def test_a_gpu_without_bf16_compute_cannot_serve(tmp_path: Path) -> None:
    # attention computes in BF16 whatever the weights' precision
    source = f'factory "small" {{\n  {SITE}\n{HALL}{SERVE_70B}}}\n' + _h100_with("bf16", "0 TFLOPS")
    compilation = compile_source(source)
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E502"]
    assert error.message == "H100 has no bf16 compute: serve `chat` runs its attention in BF16"


def test_a_gpu_without_scale_up_bandwidth_serves_one_gpu_replicas(tmp_path: Path) -> None:
    body = SERVE_70B.replace("params    = 70 billion", "model = Llama3_1_8B")
    source = f'factory "small" {{\n  {SITE}\n{HALL}{body}}}\n' + _h100_with(
        "scale_up_bandwidth", "0 GB/s"
    )
    compilation = compile_source(source)
    (serve,) = compilation.facts[0].serve
    assert serve.gpus_per_replica == 1 and serve.parallelism.label == "TP1"


def test_fp4_serving_on_hopper_is_e502(tmp_path: Path) -> None:
    compilation, _ = _compile(tmp_path, SERVE_70B.replace("fp8", "fp4"))
    assert "E502" in _codes(compilation)


def test_unreachable_user_rate_is_e505(tmp_path: Path) -> None:
    compilation, _ = _compile(tmp_path, SERVE_70B.replace("30 tokens/s", "5000 tokens/s"))
    (error,) = [d for d in compilation.sink.diagnostics if d.code == "E505"]
    assert "cannot reach 5,000 tokens/s per user" in error.message


def test_too_few_gpus_for_a_replica_is_w502(tmp_path: Path) -> None:
    body = SERVE_70B.replace("user_rate = 30 tokens/s", "gpus = 1")
    compilation, facts = _compile(tmp_path, body.replace("70 billion", "405 billion"))
    assert "W502" in _codes(compilation)
    assert facts.serve[0].replicas == 0
    assert facts.serve[0].tokens_per_s == 0


STORAGE = """
  storage fast {
    capacity  = 1 PB
    bandwidth = 100 GB/s
    power     = 10 kW
    price     = 500000 USD
  }
"""


def test_capex_opex_tco_and_unit_costs(tmp_path: Path) -> None:
    _, facts = _compile(tmp_path, STORAGE + TRAIN_70B + SERVE_70B)
    cost = facts.cost
    assert cost is not None
    capex = cost.capex_usd
    assert capex["accelerated_systems"] == pytest.approx(4 * 1.6e6)
    assert capex["storage"] == pytest.approx(500_000)
    assert capex["facility"] == pytest.approx(10.0 * 200_000)  # 10 USD/W x 200 kW it_power
    assert capex["network"] == 0
    categories = [v for k, v in capex.items() if k != "total"]
    assert capex["total"] == pytest.approx(sum(categories))
    assert capex["total"] == pytest.approx(8_900_000)

    opex = cost.opex_usd_per_year
    assert opex["software"] == pytest.approx(128 * 4500)  # 576,000 USD a year
    # (4 x 40.8 kW + 10 kW storage) x 80% x 1.25 x 8760 h x 0.1 USD/kWh
    assert opex["energy"] == pytest.approx(173.2 * 0.8 * 1.25 * 8760 * 0.1)
    assert opex["maintenance"] == pytest.approx(0.04 * 6_900_000)
    assert opex["total"] == pytest.approx(opex["energy"] + opex["software"] + opex["maintenance"])

    depreciation = 6.4e6 / 5 + 0.5e6 / 5 + 2e6 / 20
    assert cost.depreciation_usd_per_year["total"] == pytest.approx(depreciation)
    assert cost.horizon_s == pytest.approx(3 * YEAR_S)
    assert cost.tco_usd == pytest.approx(8_900_000 + 3 * opex["total"])

    annualized = depreciation + opex["total"]
    assert annualized == pytest.approx(2_483_723.2)
    gpu_hour = annualized / (128 * 8760 * 0.8)
    assert cost.cost_per_gpu_hour_usd == pytest.approx(gpu_hour)
    assert gpu_hour == pytest.approx(2.7688, abs=1e-4)

    (serve,) = facts.serve
    per_million = annualized * 1.0 / (serve.tokens_per_s * 0.8 * YEAR_S) * 1e6
    assert serve.cost_per_million_tokens_usd == pytest.approx(per_million)
    (train,) = facts.train
    assert train.cost_usd == pytest.approx(train.gpu_hours * gpu_hour)
    assert cost.missing_prices == []
    assert "cost.capex_usd" in facts.derivations
    assert "train.llama-70b.cost_usd" in facts.derivations


def test_finance_defaults_and_unpriced_parts(tmp_path: Path) -> None:
    unpriced = """
  storage slow { capacity = 1 PB, bandwidth = 10 GB/s }
"""
    _, facts = _compile(tmp_path, unpriced + SERVE_70B, finance="")
    cost = facts.cost
    assert cost is not None
    assert cost.horizon_s == pytest.approx(5 * YEAR_S)  # finance_horizon
    assert cost.opex_usd_per_year["software"] == pytest.approx(128 * 4500)  # license default
    assert "storage slow" in cost.missing_prices
    (serve,) = facts.serve
    assert serve.cost_per_million_tokens_usd is not None
    assert math.isfinite(serve.cost_per_million_tokens_usd)


def test_a_site_without_prices_gets_the_sourced_defaults_and_a_warning(tmp_path: Path) -> None:
    # Same factory as test_cost_against_hand_calculation, without build_cost and power_price:
    # the facility is priced at 17.5 million USD/MW x 200 kW of it_power, energy at
    # 8.92 cents/kWh; before, both counted as zero.
    compilation = compile_source(
        f'factory "small" {{\n  site {{ pue = 1.25 }}\n{HALL}{SERVE_70B}{FINANCE}}}\n'
    )
    (facts,) = compilation.facts
    cost = facts.cost
    assert cost is not None
    assert cost.capex_usd["facility"] == pytest.approx(17.5 * 200_000)  # 3.5 million USD
    assert cost.opex_usd_per_year["energy"] == pytest.approx(163.2 * 0.8 * 1.25 * 8760 * 0.0892)
    assert cost.missing_prices == []
    warnings = sorted(
        (d.message, d.notes) for d in compilation.sink.diagnostics if d.code == "W701"
    )
    assert warnings == [
        (
            "site gives no build_cost: the facility is priced at the default $17.5 M/MW "
            "(assumption `site_build_cost`)",
            ("facility = 200 kW of critical IT power x $17.5 M/MW = $3.50 M",),
        ),
        (
            "site gives no power_price: energy is priced at the default $0.0892/kWh "
            "(assumption `site_power_price`)",
            (),
        ),
    ]
    assert facts.derivations["cost.capex_usd"].assumptions == ("site_build_cost",)
    used = {name for name in facts.assumptions.used}
    assert {"site_build_cost", "site_power_price"} <= used


def test_a_priceless_rack_is_priced_by_its_nodes(tmp_path: Path) -> None:
    body = """
  rack plain {
    nodes = 2 x DGX_H100
    power = 20.4 kW
  }
"""
    hall_b = """
  hall B {
    it_power  = 100 kW
    ups       = 2 x 100 kW
    redundancy = N+1
    cooling   = { air = 100 kW }
    positions = 2
    racks     = 2 x plain
  }
"""
    _, facts = _compile(tmp_path, body + hall_b + SERVE_70B)
    cost = facts.cost
    assert cost is not None
    # 4 x DGX_H100_rack (1.6 million each) + 2 x plain (2 x DGX_H100 at 400,000 each)
    assert cost.capex_usd["accelerated_systems"] == pytest.approx(4 * 1.6e6 + 4 * 400_000)
    assert facts.serve[0].gpus == 128 + 32
