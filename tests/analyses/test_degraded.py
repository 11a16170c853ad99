"""Degraded modes: what survives each single failure, against hand calculations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from aiflang.driver import build_reports, compile_file
from aiflang.frontend.settings import parse_setting
from aiflang.report import DegradedMode, Report

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"


def report(*sets: str) -> Report:
    compilation = compile_file(DESIGN, settings=[parse_setting(s) for s in sets])
    return build_reports(compilation)[0]


def mode(r: Report, part: str, location: str) -> DegradedMode:
    return next(m for m in r.degraded_modes if m.part == part and m.location == location)


def test_every_listed_failure_has_a_degraded_mode() -> None:
    r = report()
    listed = [(f.part, f"hall {h.name}") for h in r.halls for f in h.failures]
    listed += [(f.part, f"fabric {fb.name}") for fb in r.fabrics for f in fb.failures]
    assert [(m.part, m.location) for m in r.degraded_modes] == listed
    ups = mode(r, "ups module", "hall A")  # N+1: the plant rides through
    assert ups.gpus_lost == 0 and ups.tokens_per_s_lost == 0 and ups.train_time_added_s == 0


def test_a_compute_leaf_takes_whole_replicas_and_shrinks_training() -> None:
    r = report()
    serve, train = r.serve[0], r.train[0]
    leaf = mode(r, "leaf switch", "fabric compute")
    assert leaf.gpus_lost == 144
    # 144 of 1,152 GPUs: 144 of the 1,152 replicas of 1 GPU (TP1) are lost.
    assert serve.replicas == 1152 and serve.gpus_per_replica == 1 and serve.prefill_gpus == 0
    assert leaf.tokens_per_s == pytest.approx(serve.tokens_per_s * 1008 / 1152)
    assert leaf.tokens_per_s_lost == pytest.approx(serve.tokens_per_s * 144 / 1152)
    assert serve.cost_per_million_tokens_usd is not None
    assert leaf.lost_cost_usd_per_hour == pytest.approx(
        serve.tokens_per_s * 144 / 1152 * 3600 * serve.cost_per_million_tokens_usd / 1e6
    )
    # Training runs on 1,008 GPUs; a leaf's lost uplinks served the GPUs cut off.
    assert leaf.bisection_lost == 0
    assert leaf.train_time_added_s == pytest.approx(train.time_s * (1152 / 1008 - 1))
    run = next(w for w in leaf.workloads if w.kind == "train")
    assert train.cost_usd is not None
    assert run.extra_cost_usd == pytest.approx(train.cost_usd * (1152 / 1008 - 1))


def test_a_compute_spine_slows_training_as_the_training_model_says_and_not_serving() -> None:
    r = report()
    spine = mode(r, "spine switch", "fabric compute")
    fabric = next(f for f in r.fabrics if f.name == "compute")
    assert fabric.failures[1].note == "bisection -25%"
    assert spine.gpus_lost == 0 and spine.bisection_lost == pytest.approx(0.25)
    assert spine.tokens_per_s_lost == 0
    # The training model's step with one of the four spines lost: this plan (FSDP over 288
    # data-parallel ranks) exposes only its last gradient bucket and first weight bucket on
    # the spines, so a quarter less bisection adds 0.2% to its step, where 1 / (1 - 0.25)
    # would have added a third.
    train = r.train[0]
    assert train.fabric == "compute" and train.step_s_spine_lost is not None
    slowdown = train.step_s_spine_lost / train.step_s
    assert 1.0 < slowdown < 1.005
    assert spine.train_time_added_s == pytest.approx(train.time_s * (slowdown - 1))
    assert "step_s_spine_lost" in spine.basis and "upper bound" not in spine.basis


def test_a_lost_spine_stretches_the_run_by_the_models_step_and_a_core_by_the_bound() -> None:
    # DGX GB200's 70B plan (TP4 CP2 x DP288, ZeRO-1) sends its exposed gradient traffic
    # across the spines: a lost spine slows its step
    design = ROOT / "reference_designs" / "dgx_gb200_superpod.aif"
    r = build_reports(compile_file(design))[0]
    train = r.train[0]
    assert train.step_s_spine_lost is not None and train.step_s_spine_lost > train.step_s
    spine = mode(r, "spine switch", "fabric compute")
    assert spine.train_time_added_s == pytest.approx(
        train.time_s * (train.step_s_spine_lost / train.step_s - 1)
    )
    assert spine.train_time_added_s > 0
    # GB300 100 MW: its plan's traffic hides under the pipeline bubble but for its last
    # bucket, so the lost spine's step is barely longer; the mode takes it from the model
    design = ROOT / "reference_designs" / "gb300_100mw.aif"
    r = build_reports(compile_file(design))[0]
    train = r.train[0]
    assert train.step_s_spine_lost is not None and train.step_s_spine_lost >= train.step_s
    spine = mode(r, "spine switch", "fabric compute")
    assert spine.train_time_added_s == pytest.approx(
        train.time_s * (train.step_s_spine_lost / train.step_s - 1)
    )
    # A core switch is not in the training model's lost-spine step: the bisection bound.
    core = mode(r, "core switch", "fabric compute")
    assert core.train_time_added_s == pytest.approx(
        train.time_s * (1 / (1 - core.bisection_lost) - 1)
    )
    assert "upper bound" in core.basis


def test_a_run_with_declared_mfu_takes_the_bisection_bound() -> None:
    design = ROOT / "reference_designs" / "mi355x_roce.aif"
    r = build_reports(compile_file(design))[0]
    train = r.train[0]
    assert train.mfu_declared and train.step_s_spine_lost is None
    spine = mode(r, "spine switch", "fabric compute")
    assert spine.bisection_lost == pytest.approx(1 / 64)
    assert spine.train_time_added_s == pytest.approx(train.time_s * (64 / 63 - 1))
    assert "upper bound" in spine.basis


def test_a_frontend_leaf_costs_serving_only() -> None:
    r = report()
    leaf = mode(r, "leaf switch", "fabric frontend")
    assert leaf.gpus_lost == 192
    assert leaf.tokens_per_s == pytest.approx(r.serve[0].tokens_per_s * (144 - 24) / 144)
    assert leaf.train_time_added_s == 0


def test_a_lost_cdu_takes_its_racks_tokens() -> None:
    # Two 1.2 MW CDUs with no spare under about 1.7 MW of liquid heat: one failure sheds racks.
    r = report("halls.A.cdus=2 x 1.2 MW", "halls.A.cdu_redundancy=N")
    cdu_failure = next(f for f in r.halls[0].failures if f.part == "cdu")
    assert cdu_failure.racks_affected > 0
    lost = cdu_failure.gpus_affected
    assert lost == cdu_failure.racks_affected * 72
    cdu = mode(r, "cdu", "hall A")
    replicas = r.serve[0].replicas
    gone = math.ceil(lost / r.serve[0].gpus_per_replica)
    assert cdu.gpus_lost == lost
    assert cdu.tokens_per_s == pytest.approx(r.serve[0].tokens_per_s * (replicas - gone) / replicas)
