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


def normal_quantile(p: float, mu: float = 0.0, sigma: float = 1.0) -> float:
    """The p-quantile (0 < p < 1) of the normal law of mean `mu` and deviation `sigma`.

    The rational approximation `statistics.NormalDist.inv_cdf` uses, with its
    coefficients and order of operations, so the figures are the same bit for bit
    (without importing `statistics`, whose import costs a short run more than
    its use): M. J. Wichura (1988), "Algorithm AS241: The Percentage Points of the
    Normal Distribution", Applied Statistics 37 (3): 477-484, doi:10.2307/2347330.
    """
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        x = _horner(_CENTRAL[0], r) * q / _horner(_CENTRAL[1], r)
        return mu + (x * sigma)
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        x = _horner(_NEAR[0], r - 1.6) / _horner(_NEAR[1], r - 1.6)
    else:
        x = _horner(_FAR[0], r - 5.0) / _horner(_FAR[1], r - 5.0)
    return mu + ((-x if q < 0.0 else x) * sigma)


def _horner(coefficients: tuple[float, ...], r: float) -> float:
    """c0 r^n + c1 r^(n-1) + ... + cn, as (((c0 r + c1) r + c2) ...)."""
    value = coefficients[0]
    for coefficient in coefficients[1:]:
        value = value * r + coefficient
    return value


# AS241's coefficients, highest power first: numerator, denominator (Wichura 1988).
_CENTRAL = (
    (
        2.50908_09287_30122_6727e3,
        3.34305_75583_58812_8105e4,
        6.72657_70927_00870_0853e4,
        4.59219_53931_54987_1457e4,
        1.37316_93765_50946_1125e4,
        1.97159_09503_06551_4427e3,
        1.33141_66789_17843_7745e2,
        3.38713_28727_96366_6080e0,
    ),
    (
        5.22649_52788_52854_5610e3,
        2.87290_85735_72194_2674e4,
        3.93078_95800_09271_0610e4,
        2.12137_94301_58659_5867e4,
        5.39419_60214_24751_1077e3,
        6.87187_00749_20579_0830e2,
        4.23133_30701_60091_1252e1,
        1.0,
    ),
)
_NEAR = (
    (
        7.74545_01427_83414_07640e-4,
        2.27238_44989_26918_45833e-2,
        2.41780_72517_74506_11770e-1,
        1.27045_82524_52368_38258e0,
        3.64784_83247_63204_60504e0,
        5.76949_72214_60691_40550e0,
        4.63033_78461_56545_29590e0,
        1.42343_71107_49683_57734e0,
    ),
    (
        1.05075_00716_44416_84324e-9,
        5.47593_80849_95344_94600e-4,
        1.51986_66563_61645_71966e-2,
        1.48103_97642_74800_74590e-1,
        6.89767_33498_51000_04550e-1,
        1.67638_48301_83803_84940e0,
        2.05319_16266_37758_82187e0,
        1.0,
    ),
)
_FAR = (
    (
        2.01033_43992_92288_13265e-7,
        2.71155_55687_43487_57815e-5,
        1.24266_09473_88078_43860e-3,
        2.65321_89526_57612_30930e-2,
        2.96560_57182_85048_91230e-1,
        1.78482_65399_17291_33580e0,
        5.46378_49111_64114_36990e0,
        6.65790_46435_01103_77720e0,
    ),
    (
        2.04426_31033_89939_78564e-15,
        1.42151_17583_16445_88870e-7,
        1.84631_83175_10054_68180e-5,
        7.86869_13114_56132_59100e-4,
        1.48753_61290_85061_48525e-2,
        1.36929_88092_27358_05310e-1,
        5.99832_20655_58879_37690e-1,
        1.0,
    ),
)


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
            return normal_quantile(u, mean, sd) if sd > 0 else mean
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
