"""Sweep execution: figures per variant, constraints, the front, resuming, pool = serial = Ray."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from aiflang.sweep import run as run_module
from aiflang.sweep.engine import Base, Row, evaluate, read_base, variant_key
from aiflang.sweep.pareto import Objective, best, pareto_front
from aiflang.sweep.run import Plan, load_results, run
from aiflang.sweep.space import parse_axis

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"
IT_POWER_W = 2354672.0  # the design's IT load (aifc report: capacity.it_power_w)


@pytest.fixture(scope="module")
def base() -> Base:
    return Base(read_base(DESIGN, constraints=("capacity.facility_power_w <= 3 MW",)))


def test_a_variant_is_compiled_with_its_settings(base: Base) -> None:
    row = evaluate(base, 0, [("site.pue", "1.3")], ["tokens_per_s_per_mw", "cost.tco_usd"])
    figures = row.figures
    # Facility power is IT x PUE; tokens per MW divide the fleet's tokens/s by it.
    assert figures["it_power_w"] == pytest.approx(IT_POWER_W)
    assert figures["facility_power_w"] == pytest.approx(IT_POWER_W * 1.3)
    tokens = figures["tokens_per_s"]
    assert isinstance(tokens, float)
    assert figures["tokens_per_s_per_mw"] == pytest.approx(tokens / (IT_POWER_W * 1.3 / 1e6))
    # A report path works as an objective too.
    assert row.objectives["cost.tco_usd"] == figures["tco_usd"]
    # 3.06 MW breaks the 3 MW constraint: valid, not feasible.
    assert row.valid and not row.feasible
    assert row.first_error.startswith("E601") and "sweep constraint" in row.first_error
    low = evaluate(base, 1, [("site.pue", "1.1")], [])
    assert low.valid and low.feasible and low.errors == 0


def test_an_invalid_variant_is_a_row_not_an_exception(base: Base) -> None:
    row = evaluate(base, 0, [("site.pue", "0")], ["tokens_per_s_per_mw"])
    assert not row.valid and not row.feasible
    assert row.first_error.startswith("E210")


def test_the_key_depends_on_the_base_and_the_settings_only(base: Base) -> None:
    values = (("site.pue", "1.2"),)
    assert evaluate(base, 0, values, []).key == evaluate(base, 5, values, []).key
    other = read_base(DESIGN)  # no constraint: another base, other keys
    assert variant_key(other.digest, values) != variant_key(base.spec.digest, values)


def _row(index: int, a: float | None, b: float | None, feasible: bool = True) -> Row:
    return Row(index, str(index), (), True, feasible, 0, "", {}, {"a": a, "b": b})


def test_the_pareto_front_keeps_only_the_undominated_feasible_rows() -> None:
    rows = [
        _row(0, 1.0, 5.0),  # front: best on b
        _row(1, 2.0, 4.0),  # front
        _row(2, 1.5, 4.0),  # dominated by 1
        _row(3, 3.0, 1.0),  # front: best on a
        _row(4, 9.0, 9.0, feasible=False),  # would dominate all, but infeasible
        _row(5, 2.0, 4.0),  # ties with 1: both stay
        _row(6, None, 9.0),  # no value: never on the front
    ]
    objectives = [Objective("a", "max"), Objective("b", "max")]
    assert [r.index for r in pareto_front(rows, objectives)] == [0, 1, 3, 5]
    # Minimising b instead: rows 3 (a=3, b=1) dominates every other.
    flipped = [Objective("a", "max"), Objective("b", "min")]
    assert [r.index for r in pareto_front(rows, flipped)] == [3]
    assert best(rows, Objective("b", "max")) == rows[6]  # best on b alone needs only b
    assert best(rows, Objective("a", "min")) == rows[0]


def _plan(constraints: tuple[str, ...] = ()) -> Plan:
    return Plan(
        read_base(DESIGN, constraints=constraints),
        (
            parse_axis("halls.A.racks=[16 x GB200_NVL72, 16 x GB300_NVL72]"),
            parse_axis("site.pue=1.1..1.4 step 0.1"),
            parse_axis("site.power_price=0.06..0.09 USD/kWh"),
            parse_axis("finance.utilization=normal(80%, 5%)"),
        ),
        samples=4,
        seed=11,
        objectives=("tokens_per_s_per_mw", "cost_per_million_tokens_usd"),
    )


def test_pool_and_serial_give_identical_rows() -> None:
    plan = _plan()
    serial = run(plan, backend="serial")
    pool = run(plan, backend="pool", workers=2)
    assert len(serial) == plan.size == 2 * 4 * 4
    assert serial == pool


def test_a_sweep_resumes_without_recomputing_finished_variants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan()
    whole = run(plan, backend="serial")
    results = tmp_path / "results.jsonl"
    # An interrupted run: five finished variants and a line cut off mid-write.
    lines = [json.dumps(r.as_json()) for r in whole[:5]]
    cut = json.dumps(whole[5].as_json())[:40]
    results.write_text("\n".join(lines) + "\n" + cut, encoding="utf-8")
    assert len(load_results(results)) == 5
    computed: list[int] = []
    original = run_module.evaluate_batch

    def counting(spec, batch, objectives):  # type: ignore[no-untyped-def]
        computed.extend(index for index, _ in batch)
        return original(spec, batch, objectives)

    monkeypatch.setattr(run_module, "evaluate_batch", counting)
    resumed = run(plan, results=results, backend="serial")
    assert resumed == whole
    assert sorted(computed) == list(range(5, plan.size))
    computed.clear()
    assert run(plan, results=results, backend="serial") == whole
    assert computed == []  # everything was stored


def test_a_thousand_variants_of_four_inputs_on_local_ray_match_the_pool() -> None:
    """The same sweep on a local Ray instance started here and on the process pool."""
    ray = pytest.importorskip("ray")
    plan = Plan(
        read_base(DESIGN, constraints=("capacity.facility_power_w <= 3 MW",)),
        (
            parse_axis("halls.A.racks=[16 x GB200_NVL72, 16 x GB300_NVL72]"),
            parse_axis("fabrics.compute.oversubscription=[1:1, 2:1]"),
            parse_axis("site.pue=1.1..1.4"),
            parse_axis("site.power_price=0.06..0.09 USD/kWh"),
        ),
        samples=250,
        seed=5,
        objectives=("tokens_per_s_per_mw", "cost_per_million_tokens_usd"),
    )
    ray.init(num_cpus=2, logging_level=logging.ERROR, log_to_driver=False, include_dashboard=False)
    try:
        on_ray = run(plan, backend="ray")
    finally:
        ray.shutdown()
    on_pool = run(plan, backend="pool", workers=2)
    assert len(on_ray) == 1000
    assert on_ray == on_pool
    assert any(r.feasible for r in on_ray) and not all(r.feasible for r in on_ray)
