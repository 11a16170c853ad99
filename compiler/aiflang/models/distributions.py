"""Distributions of uncertain inputs: ranges, normal and triangular laws.

A `Distribution` is written in the unit the designer used (`0.06..0.09
USD/kWh` keeps USD/kWh); `value(u)` is its inverse cumulative distribution
function, so Latin-hypercube and random samples, and the P10 and P90 ends
of a tornado chart, come from one formula. `nominal` is the value a single
compile uses: the middle of a range, the mean of a normal law, the mode of
a triangular one.
"""

from __future__ import annotations

import math
import statistics

from aiflang.records import record

KINDS = ("uniform", "normal", "triangular")
ARGUMENTS = {"uniform": 2, "normal": 2, "triangular": 3}
# The probability at the ends of a sample, so a normal's inverse CDF stays finite.
_EDGE = 1e-9


def value_text(value: float, unit: str | None, digits: int = 8) -> str:
    """A number as the language writes it: `digits` significant digits, then the unit."""
    number = f"{value:.{digits}g}"
    if unit is None:
        return number
    return f"{number}%" if unit == "%" else f"{number} {unit}"


@record
class Distribution:
    """A continuous input: its kind, its parameters in `unit`, and that unit."""

    kind: str  # uniform | normal | triangular
    parameters: tuple[float, ...]
    unit: str | None = None

    def value(self, u: float) -> float:
        """The value at cumulative probability `u` (0 < u < 1): the inverse CDF."""
        u = min(max(u, _EDGE), 1 - _EDGE)
        if self.kind == "uniform":
            low, high = self.parameters
            return low + u * (high - low)
        if self.kind == "normal":
            mean, sd = self.parameters
            return statistics.NormalDist(mean, sd).inv_cdf(u) if sd > 0 else mean
        low, mode, high = self.parameters
        if high == low:
            return low
        cut = (mode - low) / (high - low)
        if u < cut:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1 - u) * (high - low) * (high - mode))

    @property
    def nominal(self) -> float:
        """The value a single compile uses: the middle of a range, a mean, a mode."""
        if self.kind == "uniform":
            return (self.parameters[0] + self.parameters[1]) / 2
        if self.kind == "normal":
            return self.parameters[0]
        return self.parameters[1]

    @property
    def low(self) -> float:
        """The P10 value (a tornado's low end)."""
        return self.value(0.1)

    @property
    def high(self) -> float:
        """The P90 value (a tornado's high end)."""
        return self.value(0.9)

    def text(self, value: float, digits: int = 8) -> str:
        """`value` written as the language reads it, in this distribution's unit."""
        return value_text(value, self.unit, digits)

    def describe(self) -> str:
        args = ", ".join(value_text(p, self.unit) for p in self.parameters)
        return f"{self.kind}({args})"


def problem(kind: str, parameters: tuple[float, ...]) -> str | None:
    """Why `kind(parameters)` is not a distribution, or None when it is one."""
    if kind not in KINDS:
        return f"a distribution is one of {', '.join(KINDS)}, not `{kind}`"
    if len(parameters) != ARGUMENTS[kind]:
        return f"`{kind}(...)` takes {ARGUMENTS[kind]} values, found {len(parameters)}"
    if not all(math.isfinite(p) for p in parameters):
        return "every value must be a finite number"
    if kind == "uniform" and not parameters[0] <= parameters[1]:
        return "the low end is above the high end"
    if kind == "normal" and parameters[1] < 0:
        return "a standard deviation cannot be negative"
    if kind == "triangular" and not parameters[0] <= parameters[1] <= parameters[2]:
        return "write triangular(LOW, MODE, HIGH) in that order"
    return None
