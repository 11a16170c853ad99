"""Completion offers only units that parse, and to the attribute's dimension."""

from __future__ import annotations

import pytest

from aiflang import units
from aiflang.syntax.schema import BLOCKS

DIMENSIONS = sorted(
    {a.dimension for spec in BLOCKS.values() for a in spec.attrs.values() if a.dimension},
    key=str,
)


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=units.dimension_name)
def test_every_offered_unit_parses_to_the_dimension(dimension: units.Dimension) -> None:
    offered = units.units_of(dimension)
    assert offered, f"no unit offered for {units.dimension_name(dimension)}"
    for name in offered:
        assert units.parse_unit(name).dimension == dimension, name


def test_the_usual_units_come_first() -> None:
    assert units.units_of(units.POWER)[:4] == ["W", "kW", "MW", "GW"]
    assert units.units_of(units.MONEY_PER_ENERGY) == ["USD/kWh", "USD/MWh"]
    assert "TB/s" in units.units_of(units.BANDWIDTH)
    assert "USD/GPU/year" in units.units_of(units.MONEY_PER_GPU_TIME)
