"""Report figures formatted with their units: the one set of number and unit
formatters for the text, HTML, Markdown and comparison renderers and for
derivations, so a figure reads the same everywhere.

Report fields are SI base units and US dollars (see `aiflang.report`);
a few are scaled for people (`tokens_per_s_per_mw`, `gpu_hours`,
`cost_per_million_tokens_usd`) and are converted back to SI here before
`units.format_quantity` picks a display unit. A value known only by its
name (an derivation input, the field a `require` rule names) is shown in
the unit its name ends in (`named`, `si_named`) or its report field declares
(`si_at`), never as a raw SI number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiflang import units
from aiflang.report import Report, ServeReport

MISSING = "—"
SECONDS_PER_YEAR = 365.25 * 86400


def power(watts: float) -> str:
    return units.format_quantity(watts, units.POWER)


def energy(joules: float) -> str:
    return units.format_quantity(joules, units.ENERGY)


def duration(seconds: float) -> str:
    return units.format_quantity(seconds, units.TIME)


def data_bytes(count: float) -> str:
    return units.format_quantity(count * 8, units.DATA)


def bandwidth(bps: float) -> str:
    return units.format_quantity(bps, units.BANDWIDTH)


def flops(rate: float) -> str:
    return units.format_quantity(rate, units.COMPUTE_RATE)


def money(usd: float) -> str:
    return units.format_quantity(usd, units.MONEY)


def money_per_year(usd: float) -> str:
    return money(usd) + "/year"


def token_rate(tokens_per_s: float) -> str:
    return units.format_quantity(tokens_per_s, units.TOKEN_RATE)


def tokens_per_mw(value: float) -> str:
    return units.format_quantity(value / 1e6, units.TOKEN_RATE_PER_POWER)


def joules_per_token(value: float) -> str:
    return units.format_quantity(value, units.ENERGY_PER_TOKEN)


def cost_per_million_tokens(usd: float) -> str:
    return units.format_quantity(usd / 1e6, units.MONEY_PER_TOKEN)


def cost_per_gpu_hour(usd: float) -> str:
    return units.format_quantity(usd / 3600, units.MONEY_PER_GPU_TIME, unit="USD/GPU/h")


def gpu_hours(hours: float) -> str:
    return units.format_quantity(hours * 3600, units.GPU_TIME)


def count(value: float) -> str:
    return units.format_number(value)


def plural(n: int, word: str) -> str:
    """A count and its noun: "1 error", "1,632 warnings" (`units.plural`, the one
    rule for every message and page)."""
    return units.plural(n, word)


def percent(fraction: float) -> str:
    return units.format_percent(fraction)


def multiple(value: float) -> str:
    """A comparison ratio b/a: 3.5 -> "3.5x"."""
    return f"{units.format_number(value, 3)}x"


def ratio(value: float) -> str:
    """An oversubscription or comparison ratio: 3 -> "3:1"."""
    return f"{units.format_number(value, 3)}:1"


# Derivation inputs name their unit in more ways than report fields do:
# (suffix or name, dimension, factor from the named unit to SI, display unit
# or None for the one `units.format_quantity` picks), longest first.
_INPUT_UNITS: tuple[tuple[str, units.Dimension, float, str | None], ...] = (
    ("cost_per_gpu_hour_usd", units.MONEY_PER_GPU_TIME, 1 / 3600, "USD/GPU/h"),
    ("_usd_per_gpu_s", units.MONEY_PER_GPU_TIME, 1.0, None),
    ("_usd_per_w", units.MONEY_PER_POWER, 1.0, None),
    ("_usd_per_j", units.MONEY_PER_ENERGY, 1.0, None),
    ("gpu_hours", units.GPU_TIME, 3600.0, None),
    ("_years", units.TIME, SECONDS_PER_YEAR, None),
    ("_bits", units.DATA, 1.0, None),
    ("peak_flops_per_gpu", units.COMPUTE_RATE, 1.0, None),
    ("user_rate", units.TOKEN_RATE, 1.0, None),
    ("flops", units.COMPUTE, 1.0, None),
)

# Inputs that are fractions of a whole, shown as percentages.
_FRACTIONS = ("utilization", "mfu", "derating", "share")


# Name suffix -> (dimension, factor from the named unit to SI), for derivation
# inputs, which are named like report fields but are not in its unit table.
_SUFFIXES: tuple[tuple[str, units.Dimension, float], ...] = (
    ("tokens_per_s_per_mw", units.TOKEN_RATE_PER_POWER, 1e-6),
    ("cost_per_million_tokens_usd", units.MONEY_PER_TOKEN, 1e-6),
    ("joules_per_token", units.ENERGY_PER_TOKEN, 1.0),
    ("tokens_per_s", units.TOKEN_RATE, 1.0),
    ("_usd_per_year", units.MONEY_PER_TIME, 1 / 31_536_000.0),  # a 365-day year
    ("_w", units.POWER, 1.0),
    ("_j", units.ENERGY, 1.0),
    ("_s", units.TIME, 1.0),
    ("_bps", units.BANDWIDTH, 1.0),
    ("_bytes", units.DATA, 8.0),
    ("_usd", units.MONEY, 1.0),
)


def _unit_of(name: str) -> tuple[units.Dimension, float, str | None]:
    """The dimension an input name states, its factor to SI and display unit."""
    for suffix, dimension, factor, display in _INPUT_UNITS:
        if name == suffix.lstrip("_") or name.endswith(suffix):
            return dimension, factor, display
    for suffix, dimension, factor in _SUFFIXES:
        if name.endswith(suffix):
            return dimension, factor, None
    return units.DIMENSIONLESS, 1.0, None


def _plain_or_quantity(
    value_si: float, dimension: units.Dimension, precision: int, display: str | None = None
) -> str:
    if dimension.is_dimensionless:
        return units.format_number(value_si, None if value_si == int(value_si) else precision)
    return units.format_quantity(value_si, dimension, precision, unit=display)


def si_named(name: str, value_si: float, precision: int = 3) -> str:
    """An SI value shown in the unit an input's name states."""
    dimension, _, display = _unit_of(name)
    return _plain_or_quantity(value_si, dimension, precision, display)


def si_at(path: str, value_si: float, precision: int = 3) -> str:
    """An SI value (a `require` bound or result) in the unit of the report field at `path`."""
    from aiflang.report import field_unit

    declared = field_unit(path.split("."))
    if declared is None or declared.unit in ("", "si"):
        return _plain_or_quantity(value_si, units.DIMENSIONLESS, precision)
    dimension = units.parse_unit(declared.unit).dimension
    if dimension == units.GPU_COUNT:
        return _plain_or_quantity(value_si, units.DIMENSIONLESS, precision)
    return _plain_or_quantity(value_si, dimension, precision)


def named(name: str, value: float, precision: int = 3) -> str:
    """A value in the unit its name states (`it_power_w`, `gpu_hours`, ...), else a number."""
    if name in _FRACTIONS or name.endswith("_fraction"):
        return percent(value)
    return si_named(name, value * _unit_of(name)[1], precision)


def optional(value: float | None, formatter: Callable[[float], str]) -> str:
    """`formatter(value)`, or a dash when the figure could not be computed."""
    return MISSING if value is None else formatter(value)


@dataclass(frozen=True)
class ServeTotals:
    """Serve figures for the whole factory.

    Workloads whose GPUs add up to no more than the factory's run side by
    side, so their tokens/s add up; when they need more GPUs than the
    factory has, they are alternatives and no total is given.
    """

    tokens_per_s: float | None
    tokens_per_s_per_mw: float | None
    cost_per_million_tokens_usd: float | None


def serve_totals(report: Report) -> ServeTotals:
    serve = report.serve
    if not serve:
        return ServeTotals(None, None, None)
    if len(serve) == 1:
        only = serve[0]
        return ServeTotals(
            only.tokens_per_s, only.tokens_per_s_per_mw, only.cost_per_million_tokens_usd
        )
    gpus = report.capacity.gpus if report.capacity else None
    if gpus is None or sum(s.gpus for s in serve) > gpus:
        return ServeTotals(None, None, None)
    tokens = sum(s.tokens_per_s for s in serve)
    facility_mw = report.capacity.facility_power_w / 1e6 if report.capacity else 0.0
    per_mw = tokens / facility_mw if facility_mw > 0 else None
    return ServeTotals(tokens, per_mw, _blended_cost(serve))


def _blended_cost(serve: list[ServeReport]) -> float | None:
    """Dollars over tokens across workloads: the tokens-weighted mean of their unit costs."""
    if any(s.cost_per_million_tokens_usd is None for s in serve):
        return None
    tokens = sum(s.tokens_per_s for s in serve)
    if tokens <= 0:
        return None
    spent = sum((s.cost_per_million_tokens_usd or 0.0) * s.tokens_per_s for s in serve)
    return spent / tokens


@dataclass(frozen=True)
class KeyFigure:
    """One headline number: its raw value (None when not computed), text and explain key."""

    key: str
    label: str
    value: float | None
    text: str
    explain: str | None = None


def key_figures(report: Report) -> list[KeyFigure]:
    """The headline figures of a report, in reading order."""
    capacity, cost = report.capacity, report.cost
    totals = serve_totals(report)

    def figure(
        key: str,
        label: str,
        value: float | None,
        formatter: Callable[[float], str],
        explain: str | None = None,
    ) -> KeyFigure:
        return KeyFigure(key, label, value, optional(value, formatter), explain)

    return [
        figure("gpus", "GPUs", capacity.gpus if capacity else None, count, "capacity.gpus"),
        figure(
            "it_power_w",
            "IT power",
            capacity.it_power_w if capacity else None,
            power,
            "capacity.it_power_w",
        ),
        figure(
            "facility_power_w",
            "Facility power",
            capacity.facility_power_w if capacity else None,
            power,
            "capacity.facility_power_w",
        ),
        figure(
            "peak_flops",
            "Peak compute (BF16 dense)",
            _peak(report),
            flops,
            "capacity.peak_flops.bf16",
        ),
        figure("tokens_per_s", "Tokens/s", totals.tokens_per_s, token_rate),
        figure("tokens_per_s_per_mw", "Tokens/s per MW", totals.tokens_per_s_per_mw, tokens_per_mw),
        figure(
            "cost_per_million_tokens_usd",
            "Cost per million tokens",
            totals.cost_per_million_tokens_usd,
            cost_per_million_tokens,
        ),
        figure(
            "capex_usd",
            "Capex",
            cost.capex_usd.get("total") if cost else None,
            money,
            "cost.capex_usd.total",
        ),
        figure("tco_usd", "TCO", cost.tco_usd if cost else None, money, "cost.tco_usd"),
        figure(
            "cost_per_gpu_hour_usd",
            "Cost per GPU-hour",
            cost.cost_per_gpu_hour_usd if cost else None,
            cost_per_gpu_hour,
            "cost.cost_per_gpu_hour_usd",
        ),
    ]


def _peak(report: Report) -> float | None:
    """Dense BF16 FLOP/s: the precision every current accelerator has, so designs compare."""
    if report.capacity is None:
        return None
    return report.capacity.peak_flops.get("bf16")


def factories_note(report: Report) -> str:
    """For a file of several factories, which one this report covers and how to see the others."""
    if len(report.factories) < 2:
        return ""
    others = [name for name in report.factories if name != report.factory]
    return (
        f"{report.file} defines {len(report.factories)} factories: "
        + ", ".join(report.factories)
        + f". This report covers {report.factory}; `aifc report {report.file} --factory NAME` "
        + f"reports on another ({', '.join(others)})."
    )


def factory_title(report: Report) -> str:
    """The factory's name, or its file when no factory could be read."""
    return report.factory or report.file


def assumption_text(value: float, unit: str) -> str:
    """An assumption's SI value shown in its display unit ("%" for a fraction)."""
    if unit == "%":
        return percent(value)
    if not unit:
        return units.format_number(value, 4)
    try:
        shown = units.parse_unit(unit).from_reference(value)
    except ValueError:
        return f"{units.format_number(value, 4)} {unit}"
    return f"{units.format_number(shown, 4)} {unit}"


DEGRADED_HEADERS = [
    "Failure",
    "Where",
    "GPUs lost",
    "Bisection lost",
    "Tokens/s left",
    "Tokens/s lost",
    "Lost tokens' cost per hour",
    "Training time added",
]
DEGRADED_NUMERIC = [False, False, True, True, True, True, True, True]


def degraded_rows(report: Report) -> list[list[str]]:
    """The degraded-modes table: one row per single failure, its figures formatted."""
    rows = []
    for mode in report.degraded_modes:
        rows.append(
            [
                mode.part,
                mode.location,
                count(mode.gpus_lost),
                percent(mode.bisection_lost) if mode.bisection_lost else MISSING,
                optional(mode.tokens_per_s, token_rate),
                optional(mode.tokens_per_s_lost, token_rate),
                optional(mode.lost_cost_usd_per_hour, money),
                optional(mode.train_time_added_s, lambda s: duration(s) if s > 0 else "none"),
            ]
        )
    return rows


UNCERTAINTY_FIGURES: dict[str, tuple[str, Callable[[float], str]]] = {
    "capex_usd": ("Capex", lambda v: money(v)),
    "tco_usd": ("TCO", lambda v: money(v)),
    "tokens_per_s_per_mw": ("Tokens/s per MW", lambda v: tokens_per_mw(v)),
    "cost_per_million_tokens_usd": (
        "Cost per million tokens",
        lambda v: cost_per_million_tokens(v),
    ),
}
UNCERTAINTY_HEADERS = ["Figure", "Nominal", "P10", "P50", "P90"]


def uncertainty_rows(report: Report) -> list[list[str]]:
    """P10/P50/P90 of each headline figure, formatted; empty without --uncertainty."""
    found = report.uncertainty
    if found is None:
        return []
    rows = []
    for name, (label, formatter) in UNCERTAINTY_FIGURES.items():
        p = found.figures.get(name)
        if p is None or p.p50 is None:
            continue
        rows.append([label] + [optional(v, formatter) for v in (p.nominal, p.p10, p.p50, p.p90)])
    return rows


def uncertainty_formatter(name: str) -> Callable[[float], str]:
    return UNCERTAINTY_FIGURES[name][1]


def provenance_lines(report: Report) -> list[str]:
    """What produced the report, one line each: the aifc version, then the hashes.

    Empty for a report without provenance (a saved report from before it was recorded).
    """
    origin = report.provenance
    if origin is None:
        return []
    lines = [
        f"aifc {origin.aifc_version}",
        f"catalog sha256 {origin.catalog_sha256}",
        *(f"{name} sha256 {digest}" for name, digest in sorted(origin.inputs.items())),
    ]
    lines += [f"--set {setting}" for setting in origin.settings]
    return lines
