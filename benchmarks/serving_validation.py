"""Recompute the serving validation table and print its errors.

    python benchmarks/serving_validation.py [--rows] [--markdown] [--published-load]

Each row of tests/data/serving_validation.json is one published measurement
(MLPerf Inference result logs, SemiAnalysis InferenceMAX runs, TensorRT-LLM
and SGLang performance pages, DeepSeek's production figures) with the
configuration it was measured in: GPU and count, scale-up domain and NIC
speed, model, precision, engine, input and output tokens, replica shape,
prefill pool, draft tokens, and what the measurement held fixed (an offline
batch, MLPerf latency limits, a per-user rate read off a curve, a request
rate or a concurrency). The model is run through the same code the compiler
runs (catalog entries elaborated by the frontend, converted by
`aiflang.analyses.serving_inputs`, estimated by `aiflang.models.serving`)
with the default assumptions; nothing is set per row.

Categories: `throughput` (output tokens/s per GPU at an offline batch or at
MLPerf's latency limits), `curve` (output tokens/s per GPU at a per-user rate
read off a published throughput-versus-interactivity curve, or the per-user
rate at batch 1), `ttft` (mean time to first token at the published load).
The error is (model - published) / published; a row the model cannot
produce at all (the published per-user rate is beyond its reach) counts as
-100%. The table prints the median absolute error per category and for the
calibration rows against the held-out third.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "compiler"))

from aiflang.analyses import serving_inputs as si  # noqa: E402
from aiflang.frontend import design as dm  # noqa: E402
from aiflang.frontend.builtin import builtin_components  # noqa: E402
from aiflang.models import serving as sv  # noqa: E402
from aiflang.models.assumptions import Assumptions  # noqa: E402

DATA = ROOT / "tests" / "data" / "serving_validation.json"
TARGETS = {"throughput": 0.20, "curve": 0.30, "ttft": 0.30}
# Mean TTFT of closed-loop load generators (InferenceMAX: a fixed number of users, each
# sending its next request when the last one ends, all starting together) is reported but
# held to no target: the model's queueing approximation assumes Poisson arrivals.
REPORTED = ("ttft_closed_loop",)
WORST = 2.0  # no row further off than a factor of two


@dataclass(frozen=True)
class Result:
    id: str
    category: str
    set: str
    published: float
    model: float | None
    unit: str

    @property
    def error(self) -> float:
        """(model - published) / published; -1 when the model cannot produce the row."""
        if self.model is None or not math.isfinite(self.model):
            return -1.0
        return (self.model - self.published) / self.published

    @property
    def factor(self) -> float:
        """How far off, as a factor >= 1 (infinite when the model has no value)."""
        if self.model is None or not math.isfinite(self.model) or self.model <= 0:
            return math.inf
        return max(self.model / self.published, self.published / self.model)


def load(path: Path = DATA) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _shape(spec: dict[str, int]) -> sv.ReplicaShape:
    return sv.ReplicaShape(tp=spec["tp"], dp=spec["dp"], ep=spec["ep"], pp=spec["pp"])


def setup_for(
    row: dict[str, object],
    inputs: dict[str, dict[str, float]],
    components: dm.Components | None = None,
) -> sv.Setup:
    """The serving model's inputs for one row, from the catalog and the row's configuration."""
    components = components or builtin_components()
    overrides = row.get("assumptions") or {}
    assert isinstance(overrides, dict)
    assumptions = Assumptions(overrides=dict(overrides))
    gpu = components.gpus[str(row["gpu"])]
    model = components.models[str(row["model"])]
    engine = components.engines[str(row["engine"])]
    settings = row.get("engine_settings")
    if isinstance(settings, dict):
        # the run's own engine settings (its published configuration), as an engine block sets them
        engine = replace(engine, **{k: v for k, v in settings.items() if k != "source"})
    input_tokens = row["input_tokens"]
    if isinstance(input_tokens, str):
        input_tokens = round(inputs[input_tokens]["value"])
    accelerator = si.accelerator(gpu)
    network = sv.Network(
        scale_up_domain=int(row["scale_up_domain"]),  # type: ignore[call-overload]
        scale_up_bandwidth=accelerator.scale_up_bandwidth,
        scale_out_bandwidth=float(row["scale_out_gbps_per_gpu"]) * 1e9 / 8,  # type: ignore[arg-type]
        scale_out_latency_s=assumptions.value("network_latency_s"),
    )
    shape = _shape(row["shape"])  # type: ignore[arg-type]
    disaggregation = None
    prefill = row.get("prefill")
    if isinstance(prefill, dict):
        disaggregation = sv.Disaggregation(
            shape=_shape(prefill["shape"]),
            prefill_gpus=int(prefill["gpus"]),
            total_gpus=int(row["gpus"]),  # type: ignore[call-overload]
        )
    elif row.get("decode_only"):
        disaggregation = sv.Disaggregation(shape=shape, prefill_gpus=0, total_gpus=int(row["gpus"]))  # type: ignore[call-overload]
    return sv.Setup(
        arch=si.architecture(model),
        precision=str(row["precision"]),
        kv_precision=str(row["kv_precision"]),
        gpu=accelerator,
        efficiency=si.efficiency(gpu, assumptions),
        engine=si.engine_profile(engine, assumptions),
        network=network,
        request=sv.Request(int(input_tokens), int(row["output_tokens"])),  # type: ignore[call-overload]
        assumptions=assumptions,
        spec=sv.speculation(int(row["draft_tokens"]), None, assumptions),  # type: ignore[call-overload]
        disaggregation=disaggregation,
        workload_gpus=int(row["gpus"]),  # type: ignore[call-overload]
        api_server=bool(row.get("api_server", not str(row["id"]).startswith("mlperf"))),
    )


def _decode_replicas(row: dict[str, object], shape: sv.ReplicaShape) -> float:
    prefill = row.get("prefill")
    prefill_gpus = int(prefill["gpus"]) if isinstance(prefill, dict) else 0
    return (int(row["gpus"]) - prefill_gpus) / shape.gpus  # type: ignore[call-overload]


def _at_request_rate(setup: sv.Setup, shape: sv.ReplicaShape, rate: float) -> sv.CurvePoint:
    """The point whose request rate into one replica is `rate` (bisection over the batch)."""
    limit = sv.batch_limit(
        setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
    )
    low, high = 1, max(limit.batch, 1)
    if sv.evaluate(setup, shape, high).request_rate <= rate:
        return sv.evaluate(setup, shape, high)
    while high - low > 1:
        middle = (low + high) // 2
        if sv.evaluate(setup, shape, middle).request_rate < rate:
            low = middle
        else:
            high = middle
    return sv.evaluate(setup, shape, high)


def _decode_rate_at(setup: sv.Setup, shape: sv.ReplicaShape, user_rate: float) -> float | None:
    """Decode-only output per GPU at the largest batch whose users still see `user_rate`."""
    limit = sv.batch_limit(setup.replica(shape), setup.request, setup.spec, aggregated=False)
    low, high = 1, max(limit.batch, 1)
    if sv.evaluate(setup, shape, 1).user_tokens_per_s < user_rate:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if sv.evaluate(setup, shape, middle).user_tokens_per_s >= user_rate:
            low = middle
        else:
            high = middle
    point = sv.evaluate(setup, shape, low)
    return point.replica_tokens_per_s / shape.gpus


def _capacity_rate(setup: sv.Setup, shape: sv.ReplicaShape) -> float:
    """Requests/s one replica completes at its batch limit (its offline rate)."""
    limit = sv.batch_limit(
        setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
    )
    return sv.evaluate(setup, shape, max(limit.batch, 1)).request_rate


def compute(
    row: dict[str, object],
    inputs: dict[str, dict[str, float]],
    components: dm.Components | None = None,
    at_published_load: bool = False,
) -> float | None:
    """The model's figure for one row, in the row's unit; None when it cannot produce it."""
    return compute_point(row, inputs, components, at_published_load)[0]


def compute_point(
    row: dict[str, object],
    inputs: dict[str, dict[str, float]],
    components: dm.Components | None = None,
    at_published_load: bool = False,
) -> tuple[float | None, sv.CurvePoint | None]:
    """The model's figure for one row and the operating point it was read at (None when the
    model has no point: a per-user rate beyond its reach, a decode-only rate at batch 1).

    An MLPerf TTFT row is read where the benchmark's rules put the run: at the highest load
    whose p99 TTFT and TPOT stay within the scenario's limits (its `target`), the model's
    own operating point under those limits. `at_published_load` reads it instead at the
    load the run was published at (`published_load`: a fraction of the model's offline
    rate, or a request rate), the reading that compares TTFTs at equal offered load."""
    setup = setup_for(row, inputs, components)
    shape = _shape(row["shape"])  # type: ignore[arg-type]
    target = row["target"]
    assert isinstance(target, dict)
    category = row["category"]
    metric = row.get("metric")
    if metric == "decode_per_gpu":
        if "user_rate" in target:
            return _decode_rate_at(setup, shape, float(target["user_rate"])), None
        batch = int(target["concurrency"] / _decode_replicas(row, shape))
        batch = min(
            batch,
            sv.batch_limit(setup.replica(shape), setup.request, setup.spec, aggregated=False).batch,
        )
        point = sv.evaluate(setup, shape, batch)
        return point.replica_tokens_per_s / shape.gpus, point
    if metric == "user_rate":
        point = sv.evaluate(setup, shape, int(target["concurrency"]))
        return point.user_tokens_per_s, point
    if category in ("ttft", "ttft_closed_loop") and at_published_load:
        target = row.get("published_load", target)
        assert isinstance(target, dict)
    if category in ("ttft", "ttft_closed_loop") and "ttft_limit_s" not in target:
        if "relative_load" in target:
            rate = float(target["relative_load"]) * _capacity_rate(setup, shape)
            point = _at_request_rate(setup, shape, rate)
        elif "concurrency" in target:
            batch = max(1, round(target["concurrency"] / _decode_replicas(row, shape)))
            point = sv.evaluate(setup, shape, batch)
        else:
            rate = float(target["request_rate"]) / _decode_replicas(row, shape)
            point = _at_request_rate(setup, shape, rate)
        if not point.feasible:
            # the published load is beyond what the model's replicas carry (every slot busy,
            # or a prefill queue that never drains): no TTFT to compare, the row is over capacity
            return None, point
        return point.first_token.mean_s, point
    goal = sv.Target(
        user_rate=target.get("user_rate"),
        ttft_limit_s=target.get("ttft_limit_s"),
        tpot_limit_s=target.get("tpot_limit_s"),
        ttft_quantile=float(target.get("ttft_quantile", 0.9)),
        tpot_quantile=target.get("tpot_quantile"),
    )
    estimate = sv.search(setup, [shape], goal)
    if estimate.point is None:
        return None, None
    if category in ("ttft", "ttft_closed_loop"):
        # an MLPerf server or interactive run: the TTFT at the highest load that keeps the
        # run's p99 TTFT and TPOT within the benchmark's limits, the point the model picks
        return estimate.point.first_token.mean_s, estimate.point
    return estimate.point.tokens_per_s_per_gpu, estimate.point


def rate_at_throughput(
    row: dict[str, object],
    inputs: dict[str, dict[str, float]],
    components: dm.Components | None = None,
) -> float | None:
    """For a curve row: the per-user rate the model gives at the published throughput.

    The horizontal reading of the same point (per-user rate at equal tokens/s
    per GPU); on a flat stretch of a curve it is the steadier of the two.
    """
    target = row["target"]
    if row["category"] != "curve" or not isinstance(target, dict) or "user_rate" not in target:
        return None
    setup = setup_for(row, inputs, components)
    shape = _shape(row["shape"])  # type: ignore[arg-type]
    published = float(row["published"])  # type: ignore[arg-type]
    limit = sv.batch_limit(
        setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
    )
    low, high = 1, max(limit.batch, 1)
    if sv.evaluate(setup, shape, high).tokens_per_s_per_gpu < published:
        return None
    if sv.evaluate(setup, shape, 1).tokens_per_s_per_gpu >= published:
        return sv.evaluate(setup, shape, 1).user_tokens_per_s
    while high - low > 1:
        middle = (low + high) // 2
        if sv.evaluate(setup, shape, middle).tokens_per_s_per_gpu >= published:
            high = middle
        else:
            low = middle
    return sv.evaluate(setup, shape, high).user_tokens_per_s


def evaluate_rows(
    data: dict[str, object] | None = None,
    components: dm.Components | None = None,
    at_published_load: bool = False,
) -> list[Result]:
    """Every row of the table, recomputed (with other catalog figures, when given; TTFT rows
    at their published load when `at_published_load`, see `compute_point`)."""
    data = data or load()
    inputs = data["dataset_inputs"]
    rows = data["rows"]
    assert isinstance(inputs, dict) and isinstance(rows, list)
    return [
        Result(
            id=row["id"],
            category=row["category"],
            set=row["set"],
            published=float(row["published"]),
            model=compute(row, inputs, components, at_published_load),
            unit=row["unit"],
        )
        for row in rows
    ]


def median_abs(results: list[Result]) -> float:
    return statistics.median(abs(r.error) for r in results) if results else math.nan


def summary(results: list[Result]) -> dict[str, float]:
    """Median absolute errors per category and set, the worst factor, and row counts."""
    table: dict[str, float] = {}
    for category in (*TARGETS, *REPORTED):
        rows = [r for r in results if r.category == category]
        table[category] = median_abs(rows)
        for part in ("calibration", "holdout"):
            table[f"{category}/{part}"] = median_abs([r for r in rows if r.set == part])
    scored = [r for r in results if r.category in TARGETS]
    table["calibration"] = median_abs([r for r in scored if r.set == "calibration"])
    table["holdout"] = median_abs([r for r in scored if r.set == "holdout"])
    table["worst_factor"] = max(r.factor for r in scored)
    return table


def _figure(value: float | None, unit: str) -> str:
    """A published or modelled figure: "-" when the model has no point (a per-user rate
    beyond its reach, a load beyond its capacity), "unbounded" for a queue that never
    drains."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "unbounded"
    if unit.startswith("s"):
        return f"{value:.1e} s" if value >= 1000 else f"{value * 1e3:,.0f} ms"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _error(r: Result) -> str:
    """(model - published) / published, or what stands for it when that is no number."""
    if r.model is None:
        return "over capacity" if r.category in ("ttft", *REPORTED) else "no point"
    if not math.isfinite(r.model):
        return "unbounded"
    if abs(r.error) >= 10:
        return f"{r.model / r.published:.1e}x"
    return f"{r.error:+.0%}"


def markdown(results: list[Result], data: dict[str, object]) -> str:
    """The table for docs/models.md: every row, its configuration, source and error."""
    rows = {str(r["id"]): r for r in data["rows"]}  # type: ignore[attr-defined]
    lines = [
        "| row | set | system | model, precision, engine | in / out | replica | published "
        "| model | error |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    inputs = data["dataset_inputs"]
    assert isinstance(inputs, dict)
    for r in results:
        row = rows[r.id]
        shape = _shape(row["shape"])  # type: ignore[arg-type]
        isl = row["input_tokens"]
        isl_text = f"{round(inputs[isl]['value'])}*" if isinstance(isl, str) else str(isl)
        prefill = row.get("prefill")
        replica = shape.label()
        if isinstance(prefill, dict):
            replica += f" + {prefill['gpus']} prefill GPUs"
        if row.get("draft_tokens"):
            replica += f", MTP {row['draft_tokens']}"
        lines.append(
            f"| [{r.id}]({row['source_url']}) | {r.set[:4]} | {row['gpus']} x {row['gpu']} "
            f"| {row['model']}, {row['precision']}, {row['engine']} | {isl_text} / "
            f"{row['output_tokens']} | {replica} | {_figure(r.published, r.unit)} "
            f"| {_figure(r.model, r.unit)} | {_error(r)} |"
        )
    return "\n".join(lines) + "\n"


def write_bands(results: list[Result], path: Path = DATA) -> None:
    """Record the current errors in the table: each row's band (its error +- the larger of
    10 points and a quarter of it; [-1, -1] for a row without a finite figure) and the
    summary's medians. A deliberate step: the diff shows every row that moved."""
    data = load(path)
    by_id = {r.id: r for r in results}
    for row in data["rows"]:  # type: ignore[attr-defined]
        r = by_id[str(row["id"])]
        if r.model is None or not math.isfinite(r.model):
            row["band"] = [-1.0, -1.0]
            continue
        width = max(0.10, 0.25 * abs(r.error))
        low = max(-1.0, math.floor((r.error - width) * 100) / 100)
        row["band"] = [low, math.ceil((r.error + width) * 100) / 100]
    table = summary(results)
    data["summary"] = {
        key: round(table[key], 3)
        for key in ("throughput", "curve", "ttft", "calibration", "holdout")
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", action="store_true", help="print every row")
    parser.add_argument("--markdown", action="store_true", help="print the table for the docs")
    parser.add_argument(
        "--write-bands", action="store_true", help="record the current errors as the rows' bands"
    )
    parser.add_argument(
        "--published-load",
        action="store_true",
        help="read the MLPerf TTFT rows at their published load, not at the limits' load",
    )
    args = parser.parse_args()
    if args.write_bands and args.published_load:
        parser.error("bands are recorded for the table's own reading")
    results = evaluate_rows(at_published_load=args.published_load)
    if args.write_bands:
        write_bands(results)
    if args.markdown:
        print(markdown(results, load()), end="")
        return 0
    if args.rows:
        print(f"{'row':58} {'set':5} {'published':>11} {'model':>11} {'error':>8}")
        for r in results:
            model = "-" if r.model is None else f"{r.model:11.4g}"
            print(f"{r.id[:58]:58} {r.set[:5]:5} {r.published:11.4g} {model:>11} {_error(r):>10}")
        print()
    table = summary(results)
    header = ("category", "rows", "median |error|", "calibration", "held out", "target")
    widths = (16, 5, 15, 12, 9, 7)
    cells = [f"{h:>{w}}" for h, w in zip(header, widths, strict=True)]
    print(f"{header[0]:16} " + " ".join(cells[1:]))
    for category in (*TARGETS, *REPORTED):
        count = sum(1 for r in results if r.category == category)
        target = f"{TARGETS[category]:7.0%}" if category in TARGETS else "   none"
        print(
            f"{category:16} {count:5d} {table[category]:15.1%} "
            f"{table[category + '/calibration']:12.1%} {table[category + '/holdout']:9.1%} "
            f"{target}"
        )
    scored = [r for r in results if r.category in TARGETS]
    print(
        f"{'scored':16} {len(scored):5d} {median_abs(scored):15.1%} "
        f"{table['calibration']:12.1%} {table['holdout']:9.1%}"
    )
    finite = [r.factor for r in scored if math.isfinite(r.factor)]
    over = [r for r in scored if r.model is None and r.category == "ttft"]
    beyond = [r for r in scored if r.model is None and r.category != "ttft"]
    unbounded = len(scored) - len(finite) - len(over) - len(beyond)
    print(
        f"worst row: {max(finite):.3g}x off (target <= {WORST:g}x); without a figure: "
        f"{len(over)} TTFT rows whose published load is beyond the model's capacity, "
        f"{len(beyond)} rows beyond the model's per-user reach, {unbounded} unbounded"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
