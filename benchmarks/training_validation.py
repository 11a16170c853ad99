"""Recompute every published training run of tests/data/training_validation.json.

    python benchmarks/training_validation.py             # the table with errors
    python benchmarks/training_validation.py --fit       # refit the compute fractions
    python benchmarks/training_validation.py --refitted  # the table with them in force
    python benchmarks/training_validation.py --write-bands  # record each row's band
    python benchmarks/training_validation.py --markdown  # the table of docs/models.md

Each row gives the hardware as published, the model's shape, the job and
the plan (or none: the model searches one), and one published figure:
`step_s` (a logged or derived step time), `time_s` (days to train a token
count) or `gpu_hours` (a whole run, failures included). The model predicts
the same figure from the step-time model (and, for whole runs, the goodput
model); the error is (ours - published) / published.

`--fit` shows what calibration does: for each (GPU generation, precision)
it finds the compute fraction that makes the median error of the group's
calibration rows zero (the held-out rows are never read), by bisection,
since the predicted time falls as the fraction rises; and the host time per
local expert (`train_host_s_per_local_expert`) that does the same for the
calibration rows whose MoE recipe synchronises with the host every layer
(plan key moe_sync), one for FP8 with per-tensor current scaling (plan key
fp8_cs: `train_host_s_per_local_expert_fp8_cs`) and one for the others. They
are refitted in turn until they settle. The
fitted values are then written by hand into compiler/aiflang/models/defaults.py.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "compiler"))

from aiflang.models import training as trn  # noqa: E402
from aiflang.models.assumptions import Assumptions  # noqa: E402
from aiflang.models.training.calibration import fraction_name  # noqa: E402

DATA = ROOT / "tests" / "data" / "training_validation.json"


@dataclass(frozen=True)
class Outcome:
    row: dict[str, Any]
    predicted: float
    plan: str
    mfu: float

    @property
    def error(self) -> float:
        return self.predicted / self.row["published"] - 1.0


def load_rows(path: Path = DATA) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    return rows


def _inputs(
    row: dict[str, Any], a: Assumptions
) -> tuple[trn.ModelShape, trn.Job, trn.Cluster, dict[str, int | str] | None]:
    hw, spec = row["hardware"], row["model"]
    model = trn.ModelShape(
        params=spec["params"],
        active_params=spec["active_params"],
        layers=spec["layers"],
        hidden=spec["hidden"],
        heads=spec["heads"],
        kv_heads=spec["kv_heads"],
        vocab=spec["vocab"],
        experts=spec.get("experts", 1),
        experts_per_token=spec.get("experts_per_token", 1),
        moe_layers=spec.get("moe_layers", 0),
        qk_head_dim=spec.get("qk_head_dim", 0),
        v_head_dim=spec.get("v_head_dim", 0),
    )
    seq = row["sequence_length"]
    tokens = row["tokens"] or float(row["global_batch"] * seq)
    job = trn.Job(tokens=tokens, sequence_length=seq, global_batch=row["global_batch"])
    cluster = trn.Cluster(
        gpus=row["gpus"],
        family=hw["generation"],
        peak_flops=hw["peak"][row["precision"]],
        memory_bits=hw["memory_bytes"] * 8.0,
        scale_up_domain=hw["scale_up_domain"],
        scale_up_bps=hw["scale_up_bytes_per_s"] * 8.0,
        scale_out_bps=hw["nic_gbps"] * 1e9,
        memory_bandwidth_bps=hw["memory_bandwidth_bytes_per_s"] * 8.0,
        bf16_peak_flops=hw["peak"]["bf16"],
    )
    plan: dict[str, int | str] | None = None
    if row["plan"] is not None:
        plan = dict(row["plan"])
        plan["dp"] = row["gpus"] // (plan["tp"] * plan["pp"] * plan.get("cp", 1))
    return model, job, cluster, plan


def evaluate(row: dict[str, Any], a: Assumptions) -> Outcome:
    """The model's figure for one row, comparable to its published figure."""
    model, job, cluster, plan = _inputs(row, a)
    storage = row.get("storage_bytes_per_s")
    run = trn.estimate_run(
        model,
        job,
        cluster,
        row["precision"],
        a,
        plan=plan,
        storage_bps=storage * 8.0 if storage else None,
    )
    if isinstance(run, trn.NoPlan):
        raise ValueError(f"{row['id']}: {run.issue}")
    metric = row["metric"]
    if metric == "step_s":
        predicted = run.step.total_s
    elif metric == "time_s":
        predicted = run.solve_time_s
    elif metric == "gpu_hours":
        predicted = run.gpu_hours
    else:
        raise ValueError(f"{row['id']}: unknown metric {metric!r}")
    return Outcome(row, predicted, run.plan.describe(), run.mfu)


def group_of(row: dict[str, Any]) -> str:
    return fraction_name(row["hardware"]["generation"], row["precision"])


HOST = "train_host_s_per_local_expert"
HOST_CS = "train_host_s_per_local_expert_fp8_cs"
STEP_HOST = "train_step_host_s"


def one_microbatch(row: dict[str, Any]) -> bool:
    """A row whose published plan runs one micro-batch per step: there the once-a-step wait on
    the host weighs most against the step, so these rows are the ones `train_step_host_s` (an
    intercept per step) is fitted on."""
    plan = row["plan"]
    if plan is None:
        return False
    dp = row["gpus"] // (plan["tp"] * plan["pp"] * plan.get("cp", 1))
    return bool(row["global_batch"] <= dp * plan.get("micro_batch", 1))


def host_synced(row: dict[str, Any]) -> bool:
    """A MoE row whose recipe issues the experts eagerly behind a host-synchronising
    dispatcher: the rows the host time per local expert is fitted on."""
    plan = row["plan"] or {}
    return bool(plan.get("moe_sync")) and not plan.get("moe_graphs")


def host_constant(row: dict[str, Any]) -> str:
    """The host time per local expert a host-synchronised row is fitted into: FP8 with
    per-tensor current scaling issues more kernels per expert than the other recipes."""
    plan = row["plan"] or {}
    current = bool(plan.get("fp8_cs")) and row["precision"] == "fp8"
    return HOST_CS if current else HOST


def _bisect(
    members: list[dict[str, Any]],
    name: str,
    fixed: dict[str, float],
    low: float,
    high: float,
    rising: bool,
) -> float:
    """The value of `name` that zeroes the median error of `members`; `rising`: the predicted
    time rises with the value (a host cost), else it falls (a compute fraction)."""
    for _ in range(40):
        mid = (low + high) / 2.0
        a = Assumptions(overrides={**fixed, name: mid})
        median = statistics.median(evaluate(r, a).error for r in members)
        if (median > 0) == rising:
            high = mid
        else:
            low = mid
    return (low + high) / 2.0


def fit(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per group, the compute fraction that zeroes the median error of its calibration rows,
    and the host times per local expert that zero those of the host-synchronised calibration
    rows (per-tensor current scaling apart); all are refitted in turn until they settle (the
    host rows share groups with the fractions)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["split"] == "calibrate":
            groups.setdefault(group_of(row), []).append(row)
    synced: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["split"] == "calibrate" and host_synced(row):
            synced.setdefault(host_constant(row), []).append(row)
    single = [r for r in rows if r["split"] == "calibrate" and one_microbatch(r)]
    fitted: dict[str, float] = {}
    for _ in range(4):
        fitted[STEP_HOST] = round(_bisect(single, STEP_HOST, fitted, 0.0, 0.5, True), 4)
        for name, members in sorted(synced.items()):
            fitted[name] = round(_bisect(members, name, fitted, 0.0, 0.01, True), 6)
        for name, members in sorted(groups.items()):
            fitted[name] = round(_bisect(members, name, fitted, 0.05, 1.0, False), 3)
    return dict(sorted(fitted.items()))


def write_bands(outcomes: list[Outcome], path: Path = DATA) -> None:
    """Record each row's band: its error now, widened by 5 points each way and rounded out to
    whole points, so that a later change that moves a row by more than that fails its test."""
    data = json.loads(path.read_text(encoding="utf-8"))
    bands = {
        o.row["id"]: [
            math.floor((o.error - 0.05) * 100) / 100 + 0.0,
            math.ceil((o.error + 0.05) * 100) / 100 + 0.0,
        ]
        for o in outcomes
    }
    for row in data["rows"]:
        row["band"] = bands[row["id"]]
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _figure(metric: str, value: float) -> str:
    """A published or predicted figure in its unit, to three significant digits."""
    if metric == "step_s":
        return f"{value:.3g} s/step"
    if metric == "time_s":
        return f"{value / 86400.0:.3g} days"
    return f"{value / 1e6:.3g}M GPU-h"


def markdown(outcomes: list[Outcome]) -> str:
    """The validation table as docs/models.md prints it: one row a run, linked to its source."""
    lines = [
        "| run | hardware | plan used | split | published | ours | error |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        r = o.row
        lines.append(
            f"| [{r['id']}]({r['url']}) | {r['gpus']:,} x {r['gpu']} {r['precision']} "
            f"| {o.plan} | {r['split']} | {_figure(r['metric'], r['published'])} "
            f"| {_figure(r['metric'], o.predicted)} | {o.error:+.1%} |"
        )
    return "\n".join(lines) + "\n"


def summary(outcomes: list[Outcome], split: str) -> tuple[int, float, float]:
    errors = [abs(o.error) for o in outcomes if o.row["split"] == split]
    if not errors:
        return 0, 0.0, 0.0
    return len(errors), statistics.median(errors), max(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the compute fractions")
    parser.add_argument(
        "--refitted", action="store_true", help="the table with the refitted fractions in force"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the table in docs/models.md's format"
    )
    parser.add_argument(
        "--write-bands", action="store_true", help="record each row's band in the data file"
    )
    args = parser.parse_args()
    rows = load_rows()
    fitted = fit(rows) if args.fit or args.refitted else {}
    if args.fit:
        for name, value in fitted.items():
            print(f"{name:44s} {value:.6g}")
        return 0
    outcomes = [evaluate(row, Assumptions(overrides=dict(fitted))) for row in rows]
    if args.write_bands:
        write_bands(outcomes)
    if args.markdown:
        sys.stdout.write(markdown(outcomes))
        return 0
    print(
        f"{'run':58s} {'split':9s} {'metric':9s} {'published':>11s} {'ours':>11s} "
        f"{'error':>7s}  {'mfu':>5s}  plan"
    )
    for o in outcomes:
        r = o.row
        print(
            f"{r['id'][:58]:58s} {r['split']:9s} {r['metric']:9s} {r['published']:11.4g} "
            f"{o.predicted:11.4g} {o.error:+7.1%}  {o.mfu:5.1%}  {o.plan}"
        )
    for split in ("calibrate", "holdout"):
        n, median, worst = summary(outcomes, split)
        print(f"{split:9s}: {n} runs, median |error| {median:.1%}, worst {worst:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
