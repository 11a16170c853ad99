"""Read the seed pair's serving curves against NVIDIA's GB300-versus-Hopper claims.

    python benchmarks/seed_claim.py

Compiles reference_designs/seed_hopper.aif and seed_gb300.aif (and scratch
variants of the GB300 side: without multi-token prediction, aggregated) and
prints, per prompt length (1K/1K, 8K/1K, 32K/8K), the two Pareto fronts in
tokens/s per MW and per GPU at a set of per-user rates, the ratio at equal
per-user rate, the "10x per-user speed" reading (GB300 at ten times H200's
per-user rate), and where each side makes NVIDIA's per-GPU figures (90 and
6,000 tokens/s per GPU). docs/seed-claim.md quotes its output.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "compiler"))

from aiflang import driver  # noqa: E402
from aiflang.report import Report  # noqa: E402

WORKLOADS = {"r1-1k1k": "1K/1K", "r1-8k1k": "8K/1K", "r1-32k8k": "32K/8K"}
RATES = (10, 20, 30, 50, 75, 100, 125)
Front = list[tuple[float, float]]


def _report(path: Path) -> Report:
    reports = driver.build_reports(driver.compile_file(path))
    return reports[0]


def _variant(text: str, old: str, new: str) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "variant.aif"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return _report(path)


def _up_to(rate: float | None) -> str:
    return f"up to {rate:.0f} tokens/s per user" if rate else "at no per-user rate"


def front(report: Report, name: str, per: str) -> Front:
    serve = next(s for s in report.serve if s.name == name)
    key = "tokens_per_s_per_mw" if per == "mw" else "tokens_per_s_per_gpu"
    return sorted((p.user_rate_tokens_per_s, getattr(p, key)) for p in serve.curve if p.pareto)


def at(points: Front, rate: float) -> float | None:
    """The front's throughput at `rate` tokens/s per user (linear between points)."""
    if not points or rate > points[-1][0]:
        return None
    if rate <= points[0][0]:
        return points[0][1]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if x1 <= rate <= x2:
            return y1 + (y2 - y1) * (rate - x1) / (x2 - x1) if x2 > x1 else y1
    return None


def rate_at(points: Front, throughput: float) -> float | None:
    """The fastest per-user rate at which the front still makes `throughput`."""
    best = None
    for x, y in points:
        if y >= throughput:
            best = x
    return best


def _k(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1e3:,.0f}k" if value >= 1e4 else f"{value:,.0f}"


def main() -> int:
    hopper = _report(ROOT / "reference_designs" / "seed_hopper.aif")
    gb300 = _report(ROOT / "reference_designs" / "seed_gb300.aif")
    text = (ROOT / "reference_designs" / "seed_gb300.aif").read_text(encoding="utf-8")
    no_mtp = _variant(text, "    draft_tokens  = 3\n", "")
    aggregated = _variant(text, "    disaggregated = true\n", "")
    for name, label in WORKLOADS.items():
        h, g = front(hopper, name, "mw"), front(gb300, name, "mw")
        print(f"\n## {label}: tokens/s per MW (facility) at equal per-user rate")
        print("| tokens/s per user | H200 | GB300 | GB300 / H200 | GB300 no MTP | aggregated |")
        print("|---|---|---|---|---|---|")
        plain, agg = front(no_mtp, name, "mw"), front(aggregated, name, "mw")
        for rate in RATES:
            yh, yg = at(h, rate), at(g, rate)
            ratio = f"{yg / yh:.1f}x" if yh and yg else "-"
            print(
                f"| {rate} | {_k(yh)} | {_k(yg)} | {ratio} | {_k(at(plain, rate))} | "
                f"{_k(at(agg, rate))} |"
            )
        print(f"reach: H200 {h[-1][0]:.0f}, GB300 {g[-1][0]:.0f} tokens/s per user")
        print("10x per-user speed: GB300 at 10 x the H200 rate")
        for rate in (5, 10, 12.5, 15, 20):
            yh, yg = at(h, rate), at(g, 10 * rate)
            if yh and yg:
                print(
                    f"  H200 at {rate:g} ({_k(yh)}/MW) vs GB300 at {10 * rate:g} "
                    f"({_k(yg)}/MW): {yg / yh:.2f}x per MW, {10 * yg / yh:.1f}x 'output'"
                )
        hg, gg = front(hopper, name, "gpu"), front(gb300, name, "gpu")
        print(
            "per GPU at equal per-user rate: "
            + ", ".join(f"{rate}: {_k(at(hg, rate))} vs {_k(at(gg, rate))}" for rate in RATES)
        )
        print(
            f"per GPU: H200 makes 90/GPU {_up_to(rate_at(hg, 90))} "
            f"(max {max(y for _, y in hg):,.0f}); GB300 makes 6,000/GPU "
            f"{_up_to(rate_at(gg, 6000))} (max {max(y for _, y in gg):,.0f})"
        )
    print("\n## Operating points (50 tokens/s per user; 32K/8K also 100)")
    print(
        "| workload | H200 tokens/s per MW | GB300 | ratio "
        "| cost per M tokens H200 | GB300 | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for sh, sg in zip(hopper.serve, gb300.serve, strict=True):
        ch, cg = sh.cost_per_million_tokens_usd or 0, sg.cost_per_million_tokens_usd or 0
        print(
            f"| {sh.name} | {_k(sh.tokens_per_s_per_mw)} | {_k(sg.tokens_per_s_per_mw)} | "
            f"{sg.tokens_per_s_per_mw / sh.tokens_per_s_per_mw:.1f}x | {ch:.2f} | {cg:.2f} | "
            f"{ch / cg:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
