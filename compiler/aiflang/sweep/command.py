"""`aifc sweep`: read the options, check them, run the sweep, write its outputs.

Outputs, in the `--out` folder: `results.jsonl` (the resumable store, one
finished variant a line), `results.csv` and `results.parquet` (the table,
`aiflang.sweep.table`), `pareto.csv` (the front's rows), `sweep.json` (the
plan, the counts, the front and the best variant per objective) and
`sweep.html` (the report with its scatter charts). Everything but the
store is rewritten from the store at the end, sorted by variant index, so
two runs of the same plan write byte-identical files whatever the backend.

A problem with the options (a path `--set` does not accept, a block the
design lacks, a constraint that names nothing) raises `SweepUsageError`
before any variant runs: the command line prints it and exits 2.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aiflang.analyses.requirements import lookup
from aiflang.fileio import write_text
from aiflang.frontend.settings import SettingError
from aiflang.sweep import pareto, table
from aiflang.sweep.block import BlockError, SweepBlock, choose, read_block, sweep_blocks
from aiflang.sweep.engine import (
    FIGURES,
    Base,
    Row,
    check_settings,
    figure_unit,
    read_base,
    split_path,
)
from aiflang.sweep.pareto import Objective
from aiflang.sweep.progress import ProgressBar
from aiflang.sweep.run import Plan, RunError, run
from aiflang.sweep.space import Axis, SpaceError, parse_axis
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source

DEFAULT_OBJECTIVES = (
    Objective("tokens_per_s_per_mw", "max"),
    Objective("cost_per_million_tokens_usd", "min"),
)
MAX_VARIANTS = 10_000_000


class SweepUsageError(ValueError):
    """Options that cannot make a sweep, said in one line (exit 2)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    plan: Plan
    rows: list[Row]
    front: list[Row]
    objectives: tuple[Objective, ...]
    constraints: tuple[str, ...]
    out: Path
    written: tuple[str, ...]  # the files written into `out`, in the order they were
    notes: tuple[str, ...]

    @property
    def feasible(self) -> int:
        return sum(r.feasible for r in self.rows)


def read_axes(given: Sequence[str]) -> tuple[Axis, ...]:
    try:
        axes = tuple(parse_axis(text) for text in given)
        check_settings([a.path for a in axes])
    except (SpaceError, SettingError) as error:
        raise SweepUsageError(str(error).replace("--set ", "--vary ")) from None
    seen: set[str] = set()
    for axis in axes:
        if axis.path in seen:
            raise SweepUsageError(f"--vary {axis.path} is given twice; give its values once")
        seen.add(axis.path)
        for value in axis.values:
            # A value that does not even parse would make every variant with it invalid.
            result = parse_source(f"value = {value}", "--vary")
            if not result.ok or len(result.module.entries) != 1:
                raise SweepUsageError(f"--vary {axis.path}: `{value}` is not a value")
    return axes


def read_constraints(given: Sequence[str]) -> tuple[str, ...]:
    for text in given:
        result = parse_source(f"require {text}", "--constraint")
        entries = result.module.entries
        if not result.ok or len(entries) != 1 or not isinstance(entries[0], ast.Require):
            raise SweepUsageError(
                f"--constraint {text}: write PATH OP VALUE, e.g. "
                "'capacity.facility_power_w <= 100 MW'"
            )
    return tuple(given)


def objectives_of(maximize: Sequence[str], minimize: Sequence[str]) -> tuple[Objective, ...]:
    chosen = tuple(Objective(p, "max") for p in maximize) + tuple(
        Objective(p, "min") for p in minimize
    )
    return chosen or DEFAULT_OBJECTIVES


def _check_first(base: Base, plan: Plan) -> None:
    """Compile the first variant; a setting or constraint that names nothing is a usage error."""
    first = next(plan.variants(), None)
    values = first.values if first is not None else ()
    report, _errors = base.report(values)
    diagnostics = report.diagnostics if report is not None else []
    for d in diagnostics:
        where = d.range.filename if d.range else ""
        if d.severity == "error" and (where.startswith("--set ") or where == "--constraint"):
            summary = d.summary.replace("--set ", "--vary ")
            if not summary.startswith("--"):
                summary = f"{where.replace('--set ', '--vary ')}: {summary}"
            raise SweepUsageError(summary + (f" ({d.help})" if d.help else ""))
    data = report.model_dump() if report is not None else None
    for path in plan.objectives:
        if path in FIGURES or data is None:
            continue
        _value, problem = lookup(data, split_path(path))
        if problem is not None and "could not be computed" not in problem:
            raise SweepUsageError(
                f"objective {path}: {problem}; or name a key figure ({', '.join(FIGURES)})"
            )
        if figure_unit(path) is None:
            raise SweepUsageError(f"objective {path}: not a numeric figure of the report")


def from_block(
    file: Path, name: str | None, vary: Sequence[str]
) -> tuple[SweepBlock | None, tuple[Axis, ...]]:
    """The file's sweep block (`--sweep NAME`, else the first) and the axes with `--vary`'s."""
    from aiflang.fileio import read_limited
    from aiflang.syntax.parser import MAX_FILE_BYTES

    try:
        text = read_limited(file, MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except (OSError, ValueError) as error:
        raise SweepUsageError(f"cannot read {file}: {error}") from None
    try:
        chosen = choose(sweep_blocks(text, str(file)), name, str(file))
        block = read_block(chosen, str(file)) if chosen is not None else None
    except BlockError as error:
        raise SweepUsageError(str(error)) from None
    given = read_axes(vary)
    if block is None:
        return None, given
    replaced = {a.path for a in given}
    axes = tuple(a for a in block.axes if a.path not in replaced) + given
    try:
        check_settings([a.path for a in axes])
    except SettingError as error:
        raise SweepUsageError(f"sweep block: {error}".replace("--set ", "")) from None
    return block, axes


def sweep(
    file: Path,
    *,
    vary: Sequence[str],
    samples: int | None,
    seed: int | None,
    method: str | None,
    maximize: Sequence[str],
    minimize: Sequence[str],
    constraints: Sequence[str],
    out: Path,
    backend: str,
    workers: int | None,
    ray_address: str,
    root: Path | None = None,
    factory: str | None = None,
    sweep_name: str | None = None,
    progress_stream: TextIO | None = None,
) -> Outcome:
    """Run the sweep and write its outputs; see the module docstring.

    The options add to the file's sweep block when it has one: `--vary` adds
    or replaces axes, `--constraint` adds rules, and `--samples`, `--seed`,
    `--method`, `--maximize`, `--minimize` win over the block's.
    """
    block, axes = from_block(file, sweep_name, vary)
    if not axes:
        raise SweepUsageError(
            "give at least one --vary PATH=VALUES, or write a sweep block in the file"
        )
    if block is not None:
        samples = samples if samples is not None else block.samples
        seed = seed if seed is not None else block.seed
        method = method or block.method
        if not maximize and not minimize:
            maximize, minimize = block.maximize, block.minimize
        constraints = (*block.constraints, *constraints)
    objectives = objectives_of(maximize, minimize)
    rules = read_constraints(constraints)
    spec = read_base(file, root=root, constraints=rules, factory=factory)
    plan = Plan(spec, axes, samples, seed or 0, method or "lhs", tuple(o.path for o in objectives))
    try:
        size = plan.size
        next(plan.variants(), None)
    except SpaceError as error:
        raise SweepUsageError(str(error)) from None
    if size > MAX_VARIANTS:
        raise SweepUsageError(f"{size:,} variants is over the limit of {MAX_VARIANTS:,}")
    _check_first(Base(spec), plan)
    out.mkdir(parents=True, exist_ok=True)
    bar = ProgressBar(progress_stream) if progress_stream is not None else None
    try:
        rows = run(
            plan,
            results=out / "results.jsonl",
            backend=backend,
            workers=workers,
            ray_address=ray_address,
            progress=bar,
        )
    except RunError as error:
        raise SweepUsageError(str(error)) from None
    finally:
        if bar is not None:
            bar.close()
    front = pareto.pareto_front(rows, objectives)
    written, notes = write_outputs(out, plan, rows, front, objectives, rules, file)
    return Outcome(plan, rows, front, objectives, rules, out, written, notes)


def summary_data(
    plan: Plan,
    rows: Sequence[Row],
    front: Sequence[Row],
    objectives: Sequence[Objective],
    constraints: Sequence[str],
    file: Path,
) -> dict[str, Any]:
    """What `sweep.json` holds: the plan, the counts, the front, the best per objective."""
    best = {o.label: pareto.best(rows, o) for o in objectives}
    return {
        "file": str(file),
        "axes": [
            {"path": a.path, "values": list(a.values)}
            if not a.continuous
            else {
                "path": a.path,
                "distribution": a.distribution.describe() if a.distribution else "",
            }
            for a in plan.axes
        ],
        "samples": plan.samples,
        "method": plan.method,
        "seed": plan.seed,
        "objectives": [{"path": o.path, "sense": o.sense} for o in objectives],
        "constraints": list(constraints),
        "variants": len(rows),
        "valid": sum(r.valid for r in rows),
        "feasible": sum(r.feasible for r in rows),
        "front": [r.index for r in front],
        "best": {label: (row.index if row else None) for label, row in best.items()},
    }


def write_outputs(
    out: Path,
    plan: Plan,
    rows: list[Row],
    front: list[Row],
    objectives: Sequence[Objective],
    constraints: Sequence[str],
    file: Path,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write the table, the front, the summary and the HTML report.

    Returns the names of the files written and notes on what was not.
    """
    from aiflang.render.sweep import render_sweep_html

    inputs = [a.path for a in plan.axes]
    on_front = {r.index for r in front}
    notes: list[str] = []
    written = ["results.csv"]
    table.write_csv(out / "results.csv", rows, inputs, on_front)
    try:
        table.write_parquet(out / "results.parquet", rows, inputs, on_front)
        written.append("results.parquet")
    except table.MissingPyarrow as error:
        notes.append(f"results.parquet not written: {error}")
    table.write_csv(out / "pareto.csv", front, inputs, on_front)
    data = summary_data(plan, rows, front, objectives, constraints, file)
    write_text(out / "sweep.json", json.dumps(data, indent=2, sort_keys=True) + "\n")
    write_text(out / "sweep.html", render_sweep_html(data, rows, front, list(objectives), inputs))
    written += ["pareto.csv", "sweep.json", "sweep.html"]
    return tuple(written), tuple(notes)
