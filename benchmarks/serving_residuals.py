"""Where the serving model misses: the validation table's residuals, grouped.

    python benchmarks/serving_residuals.py [--category throughput|curve|ttft]

Every scored row of tests/data/serving_validation.json is recomputed as
benchmarks/serving_validation.py does; its residual is ln(model /
published), so a factor of two high and a factor of two low weigh alike.
The rows are grouped by GPU family, precision, engine, model, category,
set and batch region (sequences per attention rank at the operating point
the row was read at), and each group prints its row count, the median
signed error exp(median residual) - 1 and the median absolute error. A
group whose rows all lean one way is a missing or mis-sized mechanism of
that family, precision or engine; a group split both ways is noise or a
configuration the table does not describe. Rows the model cannot produce
(no point, an unbounded queue) are counted apart, not averaged in.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from aiflang.frontend.builtin import builtin_components
from serving_validation import TARGETS, _shape, compute_point, load

FAMILIES = {
    "Hopper": "Hopper",
    "Blackwell": "Blackwell",
    "Blackwell Ultra": "Blackwell",
    "CDNA3": "CDNA3",
    "CDNA4": "CDNA4",
}
REGIONS = ((8, "1-8"), (64, "9-64"), (256, "65-256"), (math.inf, ">256"))


@dataclass(frozen=True)
class Residual:
    id: str
    category: str
    set: str
    labels: dict[str, str]
    log_ratio: float | None  # ln(model / published); None when the model has no finite figure


def _region(batch_per_rank: float | None) -> str:
    if batch_per_rank is None:
        return "no point"
    return next(name for bound, name in REGIONS if batch_per_rank <= bound)


def residuals(category: str | None = None) -> list[Residual]:
    """Every scored row's residual and the labels it is grouped by."""
    data = load()
    inputs = data["dataset_inputs"]
    rows = data["rows"]
    assert isinstance(inputs, dict) and isinstance(rows, list)
    components = builtin_components()
    out: list[Residual] = []
    for row in rows:
        if row["category"] not in TARGETS or (category and row["category"] != category):
            continue
        value, point = compute_point(row, inputs, components)
        shape = _shape(row["shape"])
        generation = components.gpus[str(row["gpu"])].generation or ""
        published = float(row["published"])
        finite = value is not None and math.isfinite(value) and value > 0
        labels = {
            "family": FAMILIES.get(generation, generation or "other"),
            "precision": str(row["precision"]),
            "engine": str(row["engine"]),
            "model": str(row["model"]),
            "category": str(row["category"]),
            "set": str(row["set"]),
            "batch per rank": _region(point.batch / shape.dp if point is not None else None),
            "serving": "disaggregated" if isinstance(row.get("prefill"), dict) else "aggregated",
        }
        ratio = math.log(value / published) if finite and value is not None else None
        out.append(Residual(str(row["id"]), str(row["category"]), str(row["set"]), labels, ratio))
    return out


def grouped(results: list[Residual], key: str) -> list[tuple[str, int, int, float, float]]:
    """(group, rows, rows without a figure, median signed error, median absolute error)."""
    groups: dict[str, list[Residual]] = defaultdict(list)
    for r in results:
        groups[r.labels[key]].append(r)
    table = []
    for name in sorted(groups):
        members = groups[name]
        logs = [r.log_ratio for r in members if r.log_ratio is not None]
        missing = len(members) - len(logs)
        signed = math.exp(statistics.median(logs)) - 1 if logs else math.nan
        absolute = statistics.median(abs(math.exp(v) - 1) for v in logs) if logs else math.nan
        table.append((name, len(members), missing, signed, absolute))
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--category", choices=sorted(TARGETS), help="one category only")
    args = parser.parse_args()
    results = residuals(args.category)
    for key in ("category", "family", "precision", "engine", "model", "batch per rank", "serving"):
        print(f"{key:16} {'rows':>5} {'no fig':>6} {'median error':>13} {'median |error|':>15}")
        for name, count, missing, signed, absolute in grouped(results, key):
            print(f"  {name:14} {count:5d} {missing:6d} {signed:+13.0%} {absolute:15.0%}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
