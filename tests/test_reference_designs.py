"""The reference designs: they validate, their reports match the goldens, and
their figures match the published ones each design cites.

Goldens live in tests/golden/<design>.json (`aifc report --format json`, run
from the repository root). Set AIFC_UPDATE_GOLDEN=1 to rewrite them from what
the compiler reports, then review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import compile_file
from aiflang.frontend.design import Design

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = ROOT / "reference_designs"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AIFC_UPDATE_GOLDEN") == "1"

NAMES = sorted(p.stem for p in DESIGNS.glob("*.aif"))
KW = 1e3
MW = 1e6


def cli(*args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


@cache
def report_text(name: str) -> str:
    code, out = cli("report", f"reference_designs/{name}.aif", "--format", "json")
    assert code == 0, f"{name}: report exited {code}"
    return out


def report(name: str) -> dict[str, Any]:
    return json.loads(report_text(name))


@cache
def design(name: str) -> Design:
    compilation = compile_file(DESIGNS / f"{name}.aif")
    (built,) = compilation.designs
    return built


def fabric(r: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [f for f in r["fabrics"] if f["name"] == name]
    return found


def serve(r: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in r["serve"] if s["name"] == name]
    return found


def rack_power_w(name: str, rack: str) -> float:
    return design(name).components.racks[rack].power.used_w


def node_power_w(name: str, node: str) -> float:
    return design(name).components.nodes[node].power.used_w


# Every design ----------------------------------------------------------------


def test_the_list_of_designs() -> None:
    assert {
        "dgx_h100_superpod",
        "dgx_b200_superpod",
        "dgx_gb200_superpod",
        "gb300_100mw",
        "mi355x_roce",
        "enterprise_h200_pod",
        "gigawatt_campus",
        "seed_hopper",
        "seed_gb300",
    } <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_validates_clean(name: str) -> None:
    code, out = cli("validate", f"reference_designs/{name}.aif", "--format", "json")
    assert code == 0, out
    r = report(name)
    assert r["valid"], r["diagnostics"]
    assert r["error_count"] == 0
    # None of the designs shows a warning on purpose; a new one is a regression.
    assert r["warning_count"] == 0, [d["summary"] for d in r["diagnostics"]]
    assert all(req["passed"] for req in r["requirements"]), r["requirements"]


@pytest.mark.parametrize("name", NAMES)
def test_formatted_canonically(name: str) -> None:
    code, out = cli("fmt", "--check", f"reference_designs/{name}.aif")
    assert code == 0, out


@pytest.mark.parametrize("name", NAMES)
def test_matches_golden_report(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    text = report_text(name)
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    assert path.exists(), f"no golden for {name}: run with AIFC_UPDATE_GOLDEN=1"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), (
        f"{name}: the report differs from {path.name}; if the change is intended, "
        "regenerate with AIFC_UPDATE_GOLDEN=1 and review the diff"
    )


# Against what was published ---------------------------------------------------


def test_dgx_h100_superpod() -> None:
    # NVIDIA DGX SuperPOD H100 reference architecture (RA-11333-001): 4 SUs,
    # 127 DGX H100 (128 positions less the UFM slot), QM9700 rail-optimized
    # compute fabric with 32 leaf and 16 spine switches; 4 systems per rack
    # at 40.8 kW; DGX H100 user guide: 10.2 kW per system.
    name = "dgx_h100_superpod"
    r = report(name)
    assert r["capacity"]["gpus"] == 127 * 8
    compute = fabric(r, "compute")
    assert compute["technology"] == "infiniband"
    assert compute["tiers"] == 2
    assert compute["switches"] == {"leaf": 32, "spine": 16, "core": 0}, "RA-11333-001"
    assert compute["links"]["endpoint_leaf"] == 1016
    assert compute["rails"] == 8
    assert compute["oversubscription"] == 1.0
    assert node_power_w(name, "DGX_H100") == pytest.approx(10.2 * KW), "DGX H100 user guide"
    assert rack_power_w(name, "DGX_H100_rack") == pytest.approx(40.8 * KW), "RA: 40.8 kW racks"
    assert r["capacity"]["racks"] == 32
    (hall,) = r["halls"]
    assert hall["liquid_load_w"] == 0.0, "the RA's racks are air-cooled"


def test_dgx_b200_superpod() -> None:
    # NVIDIA DGX SuperPOD B200 reference architecture, table of larger
    # SuperPODs: 16 SUs (512 DGX B200, 4,096 GPUs) need a core tier: 128 leaf,
    # 128 spine, 64 core QM9700, 4,096 cables in each layer. DGX B200 user
    # guide: 14.3 kW per system.
    name = "dgx_b200_superpod"
    r = report(name)
    assert r["capacity"]["gpus"] == 16 * 32 * 8
    compute = fabric(r, "compute")
    assert compute["tiers"] == 3
    assert compute["switches"] == {"leaf": 128, "spine": 128, "core": 64}, "B200 RA"
    assert compute["links"] == {
        "endpoint_leaf": 4096,
        "leaf_spine": 4096,
        "spine_core": 4096,
    }, "B200 RA: cables equal to GPUs in each layer"
    assert node_power_w(name, "DGX_B200") == pytest.approx(14.3 * KW), "DGX B200 user guide"
    assert sum(h["racks"] for h in r["halls"]) * 2 == 512


def test_dgx_gb200_superpod() -> None:
    # NVIDIA DGX SuperPOD GB200 reference architecture: an SU is 8 GB200 NVL72
    # racks, 576 GPUs, about 1.2 MW; one 72-GPU NVLink domain per rack;
    # liquid-cooled. The compute-fabric switch counts are a hand calculation
    # (the RA's table was not found): 4 rails x 576 / 144 = 16 leaves,
    # 16 x 144 / 288 = 8 spines.
    name = "dgx_gb200_superpod"
    r = report(name)
    assert r["capacity"]["gpus"] == 4 * 576
    assert r["capacity"]["racks"] == 4 * 8
    (hall,) = r["halls"]
    storage_w = hall["storage_w"]
    per_su = (hall["it_load_w"] - storage_w) / 4
    assert 1.0 * MW <= per_su <= 1.3 * MW, "GB200 RA: about 1.2 MW per SU"
    assert hall["liquid_load_w"] > 3 * hall["air_load_w"], "liquid-cooled"
    compute = fabric(r, "compute")
    assert compute["switches"] == {"leaf": 16, "spine": 8, "core": 0}
    assert compute["endpoint_speed_bps"] == 400e9, "one 400G ConnectX-7 per GPU"
    assert serve(r, "deepseek-r1")["gpus_per_replica"] == 72, "one NVL72 domain"


def test_gb300_100mw() -> None:
    # GB300 NVL72 (NVIDIA): 72 GPUs and about 132 kW per rack; a 100 MW-class
    # site; distributed redundancy 4/3 (Schneider Electric White Paper 75):
    # 12 blocks of 2.7 MW carry 12 x 2.7 x 3/4 = 24.3 MW; build cost
    # 17.5 million USD/MW; NVIDIA AI Enterprise 4,500 USD per GPU-year.
    name = "gb300_100mw"
    r = report(name)
    assert r["capacity"]["gpus"] == 640 * 72
    assert rack_power_w(name, "gb300_nvl72") == pytest.approx(132 * KW), "GB300 NVL72"
    critical_w = sum(h["it_capacity_w"] for h in r["halls"])
    assert critical_w == pytest.approx(103.5 * MW)
    assert 95 * MW <= r["capacity"]["it_power_w"] <= 105 * MW, "a 100 MW factory"
    compute_halls = [h for h in r["halls"] if h["name"].startswith("H")]
    assert len(compute_halls) == 4
    for hall in compute_halls:
        assert hall["ups_usable_w"] == pytest.approx(24.3 * MW), "4/3: three quarters"
        assert hall["it_load_w"] <= hall["ups_usable_w"]
    assert {f["name"] for f in r["fabrics"]} == {"compute", "frontend", "storage"}
    assert fabric(r, "compute")["tiers"] == 3
    assert fabric(r, "compute")["endpoint_speed_bps"] == 800e9, "ConnectX-8"
    cost = r["cost"]
    assert cost["capex_usd"]["facility"] == pytest.approx(17.5 * 103.5e6)
    assert cost["opex_usd_per_year"]["software"] == pytest.approx(46080 * 4500)
    assert {t["name"] for t in r["train"]} and {s["name"] for s in r["serve"]}


def test_mi355x_roce() -> None:
    # 51.2 Tb/s Ethernet at 400G is a 128-port switch; a two-tier
    # non-blocking tree serves at most 128^2 / 2 = 8,192 ports (the fat-tree
    # arithmetic of the DGX SuperPOD RAs), so 9,216 GPUs need three tiers, as
    # Meta's RoCE clusters (SIGCOMM 2024) grew a tier beyond one AI zone.
    name = "mi355x_roce"
    r = report(name)
    assert r["capacity"]["gpus"] == 9216
    assert r["capacity"]["gpus_by_model"] == {"MI355X": 9216}
    compute = fabric(r, "compute")
    assert compute["technology"] == "ethernet"
    assert compute["endpoints"] > 128**2 // 2
    assert compute["tiers"] == 3
    assert compute["bandwidth_per_endpoint_bps"] == 400e9, "non-blocking"
    assert node_power_w(name, "MI355X_8") >= 8 * 1400, "8 x 1,400 W MI355X"


def test_enterprise_h200_pod() -> None:
    # NVIDIA Enterprise RA (2-8-9-400): 8 GPUs and 8 x 400G per server;
    # 10.2 kW per 8-GPU system (DGX H100/H200 user guide), 4 per air-cooled
    # rack = 40.8 kW.
    name = "enterprise_h200_pod"
    r = report(name)
    assert r["capacity"]["gpus"] == 128
    assert rack_power_w(name, "hgx_h200_rack") == pytest.approx(40.8 * KW)
    (hall,) = r["halls"]
    assert hall["liquid_load_w"] == 0.0
    compute = fabric(r, "compute")
    assert compute["technology"] == "ethernet"
    assert compute["switches"] == {"leaf": 4, "spine": 2, "core": 0}
    assert compute["bandwidth_per_endpoint_bps"] == 400e9
    (chat,) = r["serve"]
    assert chat["user_rate_tokens_per_s"] >= 40


def test_gigawatt_campus() -> None:
    # Gigawatt-class sites announced in 2025 (Stargate, Abilene: about 1.2 GW,
    # up to 400,000 Blackwell GPUs, press reports). Bernstein (via
    # investing.com): about 3.4 million USD of compute and 2.5 million USD of
    # physical infrastructure per GB200 NVL72 rack, about 35 billion USD per GW.
    name = "gigawatt_campus"
    r = report(name)
    gpus = r["capacity"]["gpus"]
    assert 300_000 <= gpus <= 500_000, "several hundred thousand GPUs"
    assert 0.95e9 <= r["capacity"]["facility_power_w"] <= 1.1e9, "1 GW at the meter"
    racks = gpus // 72
    per_rack = r["cost"]["capex_usd"]["total"] / racks
    bernstein = 3.4e6 + 2.5e6
    # Ours is higher: it adds a full non-blocking XDR fabric's switches and
    # optics (about 1 million USD a rack) that the analyst figure folds in
    # or leaves out.
    assert 1.0 <= per_rack / bernstein <= 1.4, f"{per_rack / bernstein:.2f}x Bernstein per rack"
    assert fabric(r, "compute")["tiers"] == 3
    assert fabric(r, "compute")["endpoints"] <= 144**3 // 4, "3-tier Q3400 limit"


# The seed pair -----------------------------------------------------------------

SEED_WORKLOADS = ["r1-1k1k", "r1-8k1k", "r1-32k8k", "r1-32k8k-100tps"]


def test_seed_pair_shares_the_envelope() -> None:
    hopper, gb300 = report("seed_hopper"), report("seed_gb300")
    assert hopper["capacity"]["utility_w"] == gb300["capacity"]["utility_w"]
    assert [h["it_capacity_w"] for h in hopper["halls"]] == [
        h["it_capacity_w"] for h in gb300["halls"]
    ]
    for a, b in [(hopper, gb300)]:
        assert abs(a["capacity"]["it_power_w"] / b["capacity"]["it_power_w"] - 1) < 0.03
    assert [s["name"] for s in hopper["serve"]] == SEED_WORKLOADS
    assert [s["name"] for s in gb300["serve"]] == SEED_WORKLOADS
    assert {s["precision"] for s in hopper["serve"]} == {"fp8"}
    assert {s["precision"] for s in gb300["serve"]} == {"fp4"}
    assert {s["model"] for s in hopper["serve"] + gb300["serve"]} == {"DeepSeek_R1"}


def test_seed_pair_ratios() -> None:
    # NVIDIA (GTC 2025, Blackwell Ultra): GB300 NVL72 gives 50x the output of Hopper
    # (about 10x per-user speed times 5x tokens per MW) on DeepSeek-R1, FP4, disaggregated;
    # its TCO material: 50x tokens per MW and 35x lower cost per token with FP4 and MTP.
    # At 50 tokens/s per user, with both sides disaggregated and GB300 using three MTP
    # drafts, the serving model gives 2x to 4x in tokens per MW; at 100 tokens/s per user
    # on 32K/8K, near the H200 curve's reach, 3x to 4x. The ratio climbs without bound as
    # the per-user rate nears the H200 curve's end (docs/seed-claim.md). The bands hold
    # what the model says, not the claim.
    hopper, gb300 = report("seed_hopper"), report("seed_gb300")
    tpm = {
        n: serve(gb300, n)["tokens_per_s_per_mw"] / serve(hopper, n)["tokens_per_s_per_mw"]
        for n in SEED_WORKLOADS
    }
    cost = {
        n: serve(hopper, n)["cost_per_million_tokens_usd"]
        / serve(gb300, n)["cost_per_million_tokens_usd"]
        for n in SEED_WORKLOADS
    }
    assert 3.2 <= tpm["r1-1k1k"] <= 4.4, tpm
    assert 2.1 <= tpm["r1-8k1k"] <= 3.0, tpm
    assert 1.8 <= tpm["r1-32k8k"] <= 2.6, tpm
    assert 2.9 <= tpm["r1-32k8k-100tps"] <= 4.0, tpm
    assert max(tpm.values()) < 50, "the operating points do not reach NVIDIA's 50x"
    for n in SEED_WORKLOADS:
        # Cost per token falls by more than tokens per MW rises: GB300's
        # capex per MW is close to Hopper's here, and it carries fewer licenses.
        assert cost[n] > tpm[n], (n, cost[n], tpm[n])


def test_seed_pair_curves_diverge_near_the_h200_reach() -> None:
    hopper, gb300 = report("seed_hopper"), report("seed_gb300")
    for name in SEED_WORKLOADS[:3]:
        h, g = serve(hopper, name), serve(gb300, name)
        # GB300's curve reaches well past H200's fastest per-user rate
        assert g["max_user_rate_tokens_per_s"] > 2 * h["max_user_rate_tokens_per_s"]
        assert any(p["pareto"] for p in g["curve"]) and any(p["pareto"] for p in h["curve"])


def test_seed_pair_compare_command() -> None:
    code, out = cli(
        "compare", "reference_designs/seed_hopper.aif", "reference_designs/seed_gb300.aif"
    )
    assert code == 0, out
    assert "tokens/s per MW" in out
    assert "cost per million tokens" in out
    for name in SEED_WORKLOADS:
        assert name in out


def test_seed_pair_compare_html_draws_both_curves(tmp_path: Path) -> None:
    out_file = tmp_path / "compare.html"
    code, out = cli(
        "compare",
        "reference_designs/seed_hopper.aif",
        "reference_designs/seed_gb300.aif",
        "--format",
        "html",
        "-o",
        str(out_file),
    )
    assert code == 0, out
    html = out_file.read_text(encoding="utf-8")
    assert html.count('<svg class="chart"') == len(SEED_WORKLOADS)
    assert html.count("<circle cx=") == 2 * len(SEED_WORKLOADS)  # both operating points
