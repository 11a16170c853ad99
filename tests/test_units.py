"""Tests of the unit table, unit parsing, quantities and formatting."""

from __future__ import annotations

import functools
import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflang import units
from aiflang.units import (
    AREA,
    BANDWIDTH,
    COMPUTE_RATE,
    DATA,
    DIMENSIONLESS,
    ENERGY,
    ENERGY_PER_TOKEN,
    LENGTH,
    MASS,
    MASS_PER_AREA,
    MONEY,
    MONEY_PER_ENERGY,
    MONEY_PER_GPU_TIME,
    MONEY_PER_POWER,
    MONEY_PER_TIME,
    POWER,
    TEMPERATURE,
    TIME,
    TOKEN_RATE,
    TOKEN_RATE_PER_POWER,
    TOKENS,
    Dimension,
    DimensionError,
    Quantity,
    UnitSyntaxError,
    UnknownUnitError,
    convert,
    dimension_name,
    format_number,
    format_percent,
    format_quantity,
    parse_unit,
    quantity,
)

# --------------------------------------------------------------------------
# Conversions against hand-computed values


@pytest.mark.parametrize(
    ("number", "unit", "expected_si", "dimension"),
    [
        (1500, "kW", 1.5e6, POWER),
        (1.5, "MW", 1.5e6, POWER),
        (132, "kW", 132_000, POWER),
        (1, "kWh", 3.6e6, ENERGY),
        (2, "MWh", 7.2e9, ENERGY),
        (1, "W*h", 3600, ENERGY),
        (1, "TWh", 3.6e15, ENERGY),
        (0.08, "USD/kWh", 0.08 / 3.6e6, MONEY_PER_ENERGY),
        (17.5e6, "USD/MW", 17.5, MONEY_PER_POWER),
        (4500, "USD/GPU/year", 4500 / (365 * 24 * 3600), MONEY_PER_GPU_TIME),
        (4500, "$/GPU/yr", 4500 / (365 * 24 * 3600), MONEY_PER_GPU_TIME),
        (2, "TB/s", 16e12, BANDWIDTH),
        (800, "Gbps", 800e9, BANDWIDTH),
        (800, "Gb/s", 800e9, BANDWIDTH),
        (80, "GB", 80e9 * 8, DATA),
        (80, "Gb", 80e9, DATA),
        (1, "GiB", 8 * 2**30, DATA),
        (10, "PB", 8e16, DATA),
        (1, "PiB", 8 * 2**50, DATA),
        (989, "TFLOPS", 989e12, COMPUTE_RATE),
        (1, "TFLOP/s", 1e12, COMPUTE_RATE),
        (1, "U", 0.04445, LENGTH),
        (42, "U", 42 * 0.04445, LENGTH),
        (1, "ft", 0.3048, LENGTH),
        (12, "in", 0.3048, LENGTH),
        (1, "ft^2", 0.3048**2, AREA),
        (100, "m^2", 100, AREA),
        (1, "lb", 0.45359237, MASS),
        (2, "t", 2000, MASS),
        (1200, "kg/m^2", 1200, MASS_PER_AREA),
        (100_000, "tokens/s/MW", 0.1, TOKEN_RATE_PER_POWER),
        (30, "tokens/s", 30, TOKEN_RATE),
        (15.6e12, "tok", 15.6e12, TOKENS),
        (0.5, "J/token", 0.5, ENERGY_PER_TOKEN),
        (1, "year", 8760 * 3600, TIME),
        (5, "years", 5 * 365 * 86_400, TIME),
        (1, "month", 30.4375 * 86_400, TIME),
        (2, "weeks", 14 * 86_400, TIME),
        (90, "min", 5400, TIME),
        (250, "us", 250e-6, TIME),
        (85, "%", 0.85, DIMENSIONLESS),
        (1, "USD/year", 1 / 31_536_000, MONEY_PER_TIME),
    ],
)
def test_quantity_in_reference_units(
    number: float, unit: str, expected_si: float, dimension: Dimension
) -> None:
    q = quantity(number, unit)
    assert q.value == pytest.approx(expected_si, rel=1e-12)
    assert q.dimension == dimension


def test_equal_values_in_different_units() -> None:
    assert quantity(1500, "kW") == quantity(1.5, "MW")
    assert quantity(1, "MB") == quantity(8, "Mb")
    assert quantity(1, "MB") != quantity(1, "Mb")
    assert quantity(1, "KB") == quantity(1, "kB")


def test_to_converts_back_out_of_reference_units() -> None:
    assert quantity(0.08, "USD/kWh").to("USD/J") == pytest.approx(0.08 / 3.6e6)
    assert quantity(0.08, "USD/kWh").to("USD/MWh") == pytest.approx(80)
    assert quantity(4500, "USD/GPU/year").to("USD/GPU/h") == pytest.approx(4500 / 8760)
    assert quantity(2, "TB/s").to("Gbps") == pytest.approx(16_000)
    assert quantity(100_000, "tokens/s/MW").to("tokens/s/kW") == pytest.approx(100)
    assert convert(1, "year", "h") == pytest.approx(8760)
    assert convert(12, "months", "days") == pytest.approx(365.25)
    assert convert(1, "GiB", "GB") == pytest.approx(1.073741824)


def test_operators_apply_left_to_right() -> None:
    # USD/GPU/year is (USD / GPU) / year, not USD / (GPU / year).
    assert parse_unit("USD/GPU/year").dimension == Dimension(money=1, gpu=-1, time=-1)
    assert parse_unit("W/s*s").factor == pytest.approx(1)
    assert parse_unit("W/s*s").dimension == POWER
    assert parse_unit("kW*h").factor == pytest.approx(3.6e6)
    assert parse_unit("m^2/s^-1").dimension == Dimension(length=2, time=1)
    assert parse_unit(" kg / m^2 ").dimension == MASS_PER_AREA


def test_percent_is_a_dimensionless_hundredth() -> None:
    unit = parse_unit("%")
    assert unit.factor == 0.01
    assert unit.dimension == DIMENSIONLESS
    assert quantity(10, "%") == Quantity(0.1)


def test_no_unit_is_dimensionless() -> None:
    assert quantity(72, None) == Quantity(72.0, DIMENSIONLESS)
    assert quantity(1.2, None).is_dimensionless


def test_celsius_is_a_scale_with_an_offset() -> None:
    assert quantity(25, "degC").value == pytest.approx(298.15)
    assert quantity(25, "degC").dimension == TEMPERATURE
    assert quantity(300, "K").to("degC") == pytest.approx(26.85)
    # Inside a compound unit, degC is a difference of one kelvin.
    assert parse_unit("W/degC").offset == 0
    assert parse_unit("W/degC").factor == 1


# --------------------------------------------------------------------------
# Dimensions


def test_energy_is_not_power() -> None:
    energy = quantity(12, "MWh")
    assert energy.dimension == ENERGY
    assert energy.dimension != POWER
    with pytest.raises(DimensionError, match="expected power, got energy") as caught:
        energy.require(POWER)
    assert caught.value.expected == POWER
    assert caught.value.actual == ENERGY
    with pytest.raises(DimensionError):
        energy.to("MW")
    with pytest.raises(DimensionError, match="cannot add power and energy"):
        _ = quantity(1, "MW") + energy
    with pytest.raises(DimensionError):
        _ = quantity(1, "MW") < energy
    with pytest.raises(DimensionError):
        _ = quantity(1, "MW") + 1.0


def test_quantity_arithmetic_combines_dimensions() -> None:
    power = quantity(3, "MW")
    duration = quantity(2, "h")
    energy = power * duration
    assert energy.dimension == ENERGY
    assert energy.to("MWh") == pytest.approx(6)
    cost = energy * quantity(0.08, "USD/kWh")
    assert cost.dimension == MONEY
    assert cost.value == pytest.approx(480)
    assert (power / quantity(1, "MW")).dimension == DIMENSIONLESS
    assert (power / quantity(1, "MW")).value == pytest.approx(3)
    assert quantity(1, "MW") + quantity(500, "kW") == quantity(1.5, "MW")
    assert quantity(1, "MW") > quantity(999, "kW")
    assert (1 / quantity(2, "s")).dimension == Dimension(time=-1)
    assert (quantity(3, "m") ** 2).dimension == AREA


def test_dimension_is_an_immutable_hashable_mapping() -> None:
    energy = Dimension(power=1, time=1)
    assert energy == ENERGY
    assert hash(energy) == hash(ENERGY)
    assert energy["power"] == 1
    assert dict(energy) == {"power": 1, "time": 1}
    assert energy == {"time": 1, "power": 1, "mass": 0}
    assert Dimension(power=0) == DIMENSIONLESS
    assert ENERGY / TIME == POWER
    assert POWER * TIME == ENERGY
    assert Dimension(time=-1) == TIME**-1
    assert {ENERGY: "e"}[Dimension({"time": 1, "power": 1})] == "e"
    assert pickle.loads(pickle.dumps(ENERGY)) == ENERGY
    assert pickle.loads(pickle.dumps(quantity(3, "kW"))) == quantity(3, "kW")
    with pytest.raises(TypeError):
        Dimension(power=0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("unit", "name"),
    [
        ("W", "power"),
        ("MWh", "energy"),
        ("Gbps", "bandwidth"),
        ("TB/s", "bandwidth"),
        ("GB", "data"),
        ("PFLOPS", "compute rate"),
        ("FLOP", "compute"),
        ("USD", "money"),
        ("USD/kWh", "money per energy"),
        ("USD/MW", "money per power"),
        ("USD/GPU/year", "money per GPU per time"),
        ("USD/year", "money per time"),
        ("year", "time"),
        ("tokens", "tokens"),
        ("tokens/s", "token rate"),
        ("tokens/s/MW", "token rate per power"),
        ("J/token", "energy per token"),
        ("m", "length"),
        ("kg", "mass"),
        ("m^2", "area"),
        ("kg/m^2", "mass per area"),
        ("degC", "temperature"),
        ("%", "dimensionless"),
        ("USD/W/s/s", "money/(power*time^2)"),
        ("W*s*s", "power*time^2"),
        ("GPU/s", "gpu/time"),
        ("m^-1", "1/length"),
    ],
)
def test_dimension_names(unit: str, name: str) -> None:
    assert dimension_name(parse_unit(unit).dimension) == name


def test_quantity_as_a_pydantic_field() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Rack(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(frozen=True)
        power: Quantity

    rack = Rack(power=quantity(132, "kW"))
    dumped = rack.model_dump()
    assert dumped == {"power": {"value": 132_000.0, "dimension": {"power": 1}}}
    assert Rack.model_validate(dumped).power == quantity(132, "kW")
    assert Rack.model_validate(dumped).power.dimension == POWER


# --------------------------------------------------------------------------
# Errors


def test_unknown_unit_suggests_the_right_case() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("kw")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.name == "kw"
    assert error.suggestions[0] == "kW"
    assert "did you mean 'kW'" in str(error)
    assert "case-sensitive" in str(error)


def test_unknown_unit_suggestions() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("mb")
    assert {"MB", "Mb"} <= set(caught.value.suggestions)

    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("USD/GPU/yeer")
    assert caught.value.name == "yeer"
    assert "year" in caught.value.suggestions

    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("tokns/s")
    assert caught.value.suggestions[0] == "tokens"

    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("zorkmid")
    assert caught.value.suggestions == []
    assert str(caught.value) == "unknown unit 'zorkmid'"


@pytest.mark.parametrize(
    "text", ["", "  ", "/s", "MW/", "kW MW", "kW//h", "m^", "m^x", "kW-h", "kW+"]
)
def test_malformed_expressions(text: str) -> None:
    with pytest.raises(UnitSyntaxError):
        parse_unit(text)


def test_every_table_unit_parses_alone() -> None:
    names = units.unit_names()
    assert {"W", "kWh", "USD", "$", "GPU", "U", "degC", "%", "PiB", "EFLOPS"} <= names
    for name in names:
        assert parse_unit(name).factor > 0


# --------------------------------------------------------------------------
# Formatting


@pytest.mark.parametrize(
    ("value", "dimension", "text"),
    [
        (1_500_000, POWER, "1.5 MW"),
        (2.11e6, POWER, "2.11 MW"),
        (132_000, POWER, "132 kW"),
        (5_800, POWER, "5.8 kW"),
        (999_999, POWER, "1 MW"),
        (-1.5e6, POWER, "-1.5 MW"),
        (0, POWER, "0 W"),
        (8e11, BANDWIDTH, "800 Gbps"),
        (16e12, BANDWIDTH, "16 Tbps"),
        (80e9 * 8, DATA, "80 GB"),
        (1e16 * 8, DATA, "10 PB"),
        (989e12, COMPUTE_RATE, "989 TFLOPS"),
        (2.5e15, COMPUTE_RATE, "2.5 PFLOPS"),
        (1.2e18, COMPUTE_RATE, "1.2 EFLOPS"),
        (1.23e6, MONEY, "$1.23 M"),
        (4.5e9, MONEY, "$4.50 B"),
        (4.5e6, MONEY, "$4.50 M"),
        (17_500, MONEY, "$17.5 k"),
        (950, MONEY, "$950"),
        (4_500, MONEY, "$4,500"),
        (2.5, MONEY, "$2.50"),
        (0.08 / 3.6e6, MONEY_PER_ENERGY, "$0.08/kWh"),
        (17.5, MONEY_PER_POWER, "$17.5 M/MW"),
        (4500 / 31_536_000, MONEY_PER_GPU_TIME, "$4,500/GPU/year"),
        (2.3e6, TOKEN_RATE, "2.3 M tokens/s"),
        (30, TOKEN_RATE, "30 tokens/s"),
        (0.12, TOKEN_RATE_PER_POWER, "120 k tokens/s/MW"),
        (15.6e12, TOKENS, "15.6 T tokens"),
        (3.6e9 * 2.5, ENERGY, "2.5 MWh"),
        (3.6e6, ENERGY, "1 kWh"),
        (30, TIME, "30 s"),
        (90, TIME, "1.5 min"),
        (5400, TIME, "1.5 h"),
        (86_400, TIME, "1 day"),
        (3 * 86_400, TIME, "3 days"),
        (5 * 31_536_000, TIME, "5 years"),
        (14_000, DIMENSIONLESS, "14,000"),
        (1.2, DIMENSIONLESS, "1.2"),
        (1200, AREA, "1,200 m^2"),
        (298.15, TEMPERATURE, "25 °C"),
        (0.3, ENERGY_PER_TOKEN, "0.3 J/token"),
    ],
)
def test_format_quantity(value: float, dimension: Dimension, text: str) -> None:
    assert format_quantity(value, dimension) == text


def test_format_precision_and_forced_unit() -> None:
    assert format_quantity(2_114_567, POWER, precision=5) == "2.1146 MW"
    assert format_quantity(2_114_567, POWER, precision=1) == "2 MW"
    assert format_quantity(4500 / 31_536_000, MONEY_PER_GPU_TIME, unit="USD/GPU/h") == (
        "$0.514/GPU/h"
    )
    assert format_quantity(1.5e6, POWER, unit="kW") == "1,500 kW"
    with pytest.raises(DimensionError):
        format_quantity(1.5e6, POWER, unit="kWh")
    assert str(quantity(132, "kW")) == "132 kW"
    assert quantity(0.08, "USD/kWh").format() == "$0.08/kWh"


def test_format_unnamed_dimension_uses_reference_units() -> None:
    text = format_quantity(2.0, Dimension(money=1, power=-1, time=-2))
    assert text == "2 USD/(W*s^2)"


def test_format_number_and_percent() -> None:
    assert format_number(14_000) == "14,000"
    assert format_number(14_123) == "14,123"
    assert format_number(14_123, precision=3) == "14,100"
    assert format_number(0.5) == "0.5"
    assert format_percent(0.85) == "85%"
    assert format_percent(0.105) == "10.5%"


# --------------------------------------------------------------------------
# Against pint, as an independent oracle

# Our unit -> the same unit in pint's registry. Our year is 365 days (pint's
# `common_year`); pint's `year` is the Julian 365.25 days and is not used.
# Our month, 30.4375 days, is pint's `month`.
PINT_NAMES: dict[str, dict[str, str]] = {
    "power": {"W": "watt", "kW": "kilowatt", "MW": "megawatt", "GW": "gigawatt"},
    "energy": {
        "J": "joule",
        "kJ": "kilojoule",
        "MJ": "megajoule",
        "GJ": "gigajoule",
        "Wh": "watt_hour",
        "kWh": "kilowatt_hour",
        "MWh": "megawatt_hour",
        "GWh": "gigawatt_hour",
        "TWh": "terawatt_hour",
    },
    "time": {
        "s": "second",
        "ms": "millisecond",
        "us": "microsecond",
        "min": "minute",
        "h": "hour",
        "day": "day",
        "week": "week",
        "month": "month",
        "year": "common_year",
        "yr": "common_year",
    },
    "data": {
        "bit": "bit",
        "kb": "kilobit",
        "Mb": "megabit",
        "Gb": "gigabit",
        "Tb": "terabit",
        "B": "byte",
        "kB": "kilobyte",
        "MB": "megabyte",
        "GB": "gigabyte",
        "TB": "terabyte",
        "PB": "petabyte",
        "EB": "exabyte",
        "KiB": "kibibyte",
        "MiB": "mebibyte",
        "GiB": "gibibyte",
        "TiB": "tebibyte",
        "PiB": "pebibyte",
    },
    "bandwidth": {
        "bps": "bit/second",
        "kbps": "kilobit/second",
        "Mbps": "megabit/second",
        "Gbps": "gigabit/second",
        "Tbps": "terabit/second",
        "Pbps": "petabit/second",
        "GB/s": "gigabyte/second",
        "Gb/s": "gigabit/second",
    },
    "length": {
        "m": "meter",
        "cm": "centimeter",
        "mm": "millimeter",
        "km": "kilometer",
        "ft": "foot",
        "in": "inch",
    },
    "area": {"m^2": "meter**2", "ft^2": "foot**2"},
    "mass": {"kg": "kilogram", "g": "gram", "t": "tonne", "lb": "pound"},
    "money per energy": {"USD/kWh": "1/kilowatt_hour", "USD/J": "1/joule"},
}


@functools.lru_cache(maxsize=1)
def _pint_registry() -> Any:
    pint = pytest.importorskip("pint")
    return pint.UnitRegistry()


def _same_family_pairs() -> st.SearchStrategy[tuple[str, str, str, str]]:
    def pairs(family: dict[str, str]) -> st.SearchStrategy[tuple[str, str, str, str]]:
        names = sorted(family)
        return st.tuples(st.sampled_from(names), st.sampled_from(names)).map(
            lambda ab: (ab[0], family[ab[0]], ab[1], family[ab[1]])
        )

    return st.sampled_from(sorted(PINT_NAMES)).flatmap(lambda key: pairs(PINT_NAMES[key]))


@settings(deadline=None)  # the first example builds pint's registry
@given(
    pair=_same_family_pairs(),
    number=st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False),
)
def test_conversions_agree_with_pint(pair: tuple[str, str, str, str], number: float) -> None:
    registry = _pint_registry()
    ours_from, pint_from, ours_to, pint_to = pair
    expected = registry.Quantity(number, pint_from).to(pint_to).magnitude
    assert convert(number, ours_from, ours_to) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("ours", "pint_name"),
    [(ours, pint_name) for family in PINT_NAMES.values() for ours, pint_name in family.items()],
)
def test_factor_agrees_with_pint(ours: str, pint_name: str) -> None:
    registry = _pint_registry()
    reference = {
        POWER: "watt",
        ENERGY: "joule",
        TIME: "second",
        DATA: "bit",
        BANDWIDTH: "bit/second",
        LENGTH: "meter",
        AREA: "meter**2",
        MASS: "kilogram",
        MONEY_PER_ENERGY: "1/joule",
    }[parse_unit(ours).dimension]
    expected = registry.Quantity(1, pint_name).to(reference).magnitude
    assert parse_unit(ours).factor == pytest.approx(expected, rel=1e-12)


def test_year_is_365_days_not_pints_julian_year() -> None:
    registry = _pint_registry()
    julian = registry.Quantity(1, "year").to("second").magnitude
    assert quantity(1, "year").value == 365 * 86_400
    assert not math.isclose(quantity(1, "year").value, julian, rel_tol=1e-6)


def test_celsius_agrees_with_pint() -> None:
    registry = _pint_registry()
    for celsius in (-40.0, 0.0, 25.0, 85.0):
        expected = registry.Quantity(celsius, "degC").to("kelvin").magnitude
        assert quantity(celsius, "degC").value == pytest.approx(expected, rel=1e-12)


_UNIT_WORDS = ["kW", "MW", "GPU", "USD", "h", "year", "kWh", "kw", "Kw", "zz", "%", "degC", "m"]
_UNIT_TEXT = st.lists(
    st.one_of(st.sampled_from(_UNIT_WORDS), st.sampled_from(["/", "*", "^2", "^", " ", "x"])),
    max_size=6,
).map("".join)


@given(_UNIT_TEXT)
def test_is_known_unit_agrees_with_parse_unit(text: str) -> None:
    """The quick test a plant reference gets says yes exactly when parsing succeeds."""
    try:
        units.parse_unit(text)
    except units.UnitError:
        parsed = False
    else:
        parsed = True
    assert units.is_known_unit(text) is parsed


def test_is_known_unit_examples() -> None:
    assert units.is_known_unit("kW") and units.is_known_unit("USD/kWh")
    assert (
        not units.is_known_unit("kw")
        and not units.is_known_unit("A")
        and not units.is_known_unit("")
    )
