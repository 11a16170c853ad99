"""Monte Carlo uncertainty of a design's headline figures, and a tornado of its inputs.

The uncertain inputs are
- every range or distribution the design writes (`power_price = 0.06..0.09
  USD/kWh`, `mfu = normal(40%, 5%)`, `frontend.uncertain`), and
- every model assumption the design uses, does not set, and whose source
  publishes a range (`Assumption.published_range`): sampled from a
  triangular law over that range with its mode at the default, so the
  most likely value stays the one the single report uses.

`N` Latin-hypercube samples of all inputs at once run through the sweep
engine (the same compile as `aifc report`); P10, P50 and P90 of capex,
TCO, tokens/s per MW and cost per million tokens are taken over the valid
samples. The tornado moves one input at a time to its P10 and its P90
value with every other input at its nominal value (one-at-a-time
sensitivity): 2 compiles per input, bars sorted by swing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aiflang import report as rp
from aiflang import units
from aiflang.diagnostics import Sink
from aiflang.frontend.settings import apply_settings, parse_setting
from aiflang.frontend.uncertain import distribution_of, uncertain_attributes
from aiflang.models.assumptions import REGISTRY
from aiflang.models.distributions import Distribution
from aiflang.sweep.engine import Base, BaseSpec, Row, evaluate, read_base, same_file
from aiflang.sweep.run import Plan, run
from aiflang.sweep.space import Axis
from aiflang.syntax.parser import parse_source

HEADLINES = ("capex_usd", "tco_usd", "tokens_per_s_per_mw", "cost_per_million_tokens_usd")
TORNADO_BARS = 10


@dataclass(frozen=True, slots=True)
class Input:
    path: str
    distribution: Distribution
    source: str


def _display(assumption_unit: str, si: float) -> tuple[float, str | None]:
    """An SI value in the unit the assumption is written in (what `assumptions {}` reads)."""
    if assumption_unit == "%":
        return si * 100, "%"
    if assumption_unit == "":
        return si, None
    return si / units.parse_unit(assumption_unit).to_reference(1.0), assumption_unit


def design_inputs(spec: BaseSpec) -> list[Input]:
    """The ranges and distributions the root file writes (after the base's `--set`)."""
    text = next((data for name, data in spec.files if same_file(name, spec.path)), None)
    if text is None:
        return []
    module = parse_source(text.decode("utf-8", errors="replace"), spec.path).module
    if spec.settings:
        settings = [parse_setting(s) for s in spec.settings]
        module, _ = apply_settings(module, settings, Sink())
    found = []
    for path, value in uncertain_attributes(module):
        distribution, _problem = distribution_of(value)
        if distribution is not None:
            found.append(Input(path, distribution, "design"))
    return found


def assumption_inputs(report: rp.Report, taken: set[str]) -> list[Input]:
    """The assumptions the report used, did not override, and whose source gives a range."""
    found = []
    for used in report.assumptions:
        assumption = REGISTRY.get(used.name)
        path = f"assumptions.{used.name}"
        if assumption is None or used.overridden or path in taken:
            continue
        published = assumption.published_range
        if published is None:
            continue
        low, unit = _display(assumption.unit, published[0])
        mode, _ = _display(assumption.unit, assumption.default)
        high, _ = _display(assumption.unit, published[1])
        distribution = Distribution("triangular", (low, mode, high), unit)
        found.append(Input(path, distribution, assumption.source))
    return found


def _percentiles(rows: Sequence[Row], name: str, nominal: float | None) -> rp.Percentiles:
    values = [
        float(v)
        for r in rows
        if r.valid and isinstance(v := r.figures.get(name), int | float) and v is not None
    ]
    if len(values) < 2:
        only = values[0] if values else None
        return rp.Percentiles(nominal=nominal, p10=only, p50=only, p90=only)
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return rp.Percentiles(nominal=nominal, p10=deciles[0], p50=deciles[4], p90=deciles[8])


def _number(row: Row, name: str) -> float | None:
    value = row.figures.get(name)
    return float(value) if isinstance(value, int | float) and value is not None else None


def tornado(base: Base, inputs: Sequence[Input]) -> dict[str, list[rp.TornadoBar]]:
    """One-at-a-time swings of each headline figure, largest first."""
    bars: dict[str, list[rp.TornadoBar]] = {name: [] for name in HEADLINES}
    for item in inputs:
        # Four significant digits: the value set is the value shown.
        low_text = item.distribution.text(item.distribution.low, 4)
        high_text = item.distribution.text(item.distribution.high, 4)
        at_low = evaluate(base, 0, [(item.path, low_text)], [])
        at_high = evaluate(base, 0, [(item.path, high_text)], [])
        for name in HEADLINES:
            low = _number(at_low, name) if at_low.valid else None
            high = _number(at_high, name) if at_high.valid else None
            swing = abs(high - low) if low is not None and high is not None else 0.0
            bars[name].append(
                rp.TornadoBar(
                    input=item.path,
                    low_value=low_text,
                    high_value=high_text,
                    at_low=low,
                    at_high=high,
                    swing=swing,
                )
            )
    return {
        name: sorted(items, key=lambda b: (-b.swing, b.input))[:TORNADO_BARS]
        for name, items in bars.items()
    }


def uncertainty(
    file: Path,
    report: rp.Report,
    *,
    samples: int,
    seed: int = 0,
    root: Path | None = None,
    settings: Sequence[str] = (),
    backend: str = "serial",
    workers: int | None = None,
) -> rp.UncertaintyReport:
    """Sample the design's uncertain inputs `samples` times; see the module docstring."""
    spec = read_base(file, root=root, factory=report.factory, settings=settings)
    inputs = design_inputs(spec)
    inputs += assumption_inputs(report, {i.path for i in inputs})
    base = Base(spec)
    nominal = evaluate(base, 0, [], [])
    rows: list[Row] = []
    if inputs:
        axes = tuple(Axis(i.path, distribution=i.distribution) for i in inputs)
        plan = Plan(spec, axes, samples=samples, seed=seed, method="lhs")
        rows = run(plan, backend=backend, workers=workers)
    figures = {
        name: _percentiles(rows, name, _number(nominal, name) if nominal.valid else None)
        for name in HEADLINES
    }
    return rp.UncertaintyReport(
        samples=samples if inputs else 0,
        valid_samples=sum(r.valid for r in rows),
        seed=seed,
        method="lhs",
        inputs=[
            rp.UncertainInput(path=i.path, distribution=i.distribution.describe(), source=i.source)
            for i in inputs
        ],
        figures=figures,
        tornado=tornado(base, inputs) if inputs else {},
    )
