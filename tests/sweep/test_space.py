"""The design space: reading --vary, stepped grids, distributions and their samples."""

from __future__ import annotations

import pytest

from aiflang.sweep.space import (
    MAX_STEPS,
    Axis,
    Distribution,
    SpaceError,
    parse_axis,
    space_size,
    unit_samples,
    variants,
)


def test_a_list_is_the_alternatives_split_at_top_level_commas() -> None:
    axis = parse_axis("halls.A.racks=[16 x GB200_NVL72, 16 x GB300_NVL72]")
    assert axis == Axis("halls.A.racks", values=("16 x GB200_NVL72", "16 x GB300_NVL72"))
    # A list value inside the list stays one alternative.
    nested = parse_axis("node.t.nics=[[4 x CX8 for compute], [8 x CX7 for compute, 1 x BF3]]")
    assert nested.values == ("[4 x CX8 for compute]", "[8 x CX7 for compute, 1 x BF3]")


def test_a_stepped_range_is_a_grid_computed_from_the_index() -> None:
    assert parse_axis("site.pue=1.1..1.4 step 0.1").values == ("1.1", "1.2", "1.3", "1.4")
    # Ten additions of 0.1 would drift; 0.0..1.0 step 0.1 still ends at exactly 1.
    assert parse_axis("site.pue=0..1 step 0.1").values[-1] == "1"
    assert parse_axis("halls.A.it_power=2..4 MW step 0.5").values == (
        "2 MW",
        "2.5 MW",
        "3 MW",
        "3.5 MW",
        "4 MW",
    )
    with pytest.raises(SpaceError, match="same unit"):
        parse_axis("halls.A.it_power=2..3 MW step 500 kW")


def test_a_range_without_a_step_and_calls_are_distributions() -> None:
    price = parse_axis("site.power_price=0.06..0.09 USD/kWh").distribution
    assert price == Distribution("uniform", (0.06, 0.09), "USD/kWh")
    assert price.nominal == pytest.approx(0.075)
    assert price.text(0.07) == "0.07 USD/kWh"
    mfu = parse_axis("train.x.mfu=normal(40%, 5%)").distribution
    assert mfu == Distribution("normal", (40.0, 5.0), "%")
    assert mfu.value(0.5) == pytest.approx(40.0)
    # P90 of a normal is the mean plus 1.2816 standard deviations.
    assert mfu.high == pytest.approx(40 + 1.2815516 * 5, rel=1e-6)
    assert mfu.text(41.5) == "41.5%"
    tri = parse_axis("site.pue=triangular(1.1, 1.2, 1.5)").distribution
    assert tri is not None
    assert tri.value(0.5) == pytest.approx(1.5 - (0.5 * 0.4 * 0.3) ** 0.5)
    assert tri.nominal == 1.2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("site.pue", "write PATH=VALUES"),
        ("site.pue=[]", "empty"),
        ("site.pue=1.4..1.1", "low end is above"),
        ("site.pue=1..2 step 0", "step must be positive"),
        ("site.pue=gamma(1, 2)", "one of uniform, normal, triangular"),
        ("site.pue=normal(1)", "takes 2 values"),
        ("site.power_price=normal(0.07 USD/kWh, 1 USD/MWh)", "same unit"),
        ("site.pue=normal(1.2, -0.1)", "cannot be negative"),
        ("site.pue=fast", "give a list"),
        ("site.pue=1..2 step 0.000001", "steps, over the limit of 100,000; use a larger step"),
        ("site.pue=[1.1,,1.2]", "an empty value between commas"),
        ("site.pue=[, 1.2]", "an empty value between commas"),
        ("site.pue=1e400..1e401", "`1e400` is too large"),
        ("site.pue=normal(1.2, 1e999)", "`1e999` is too large"),
        ("site.pue=1..2 step 1e999", "`1e999` is too large"),
    ],
)
def test_bad_vary_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(SpaceError, match=message):
        parse_axis(text)


def test_a_list_may_end_with_a_comma() -> None:
    assert parse_axis("site.pue=[1.1, 1.2,]").values == ("1.1", "1.2")


def test_latin_hypercube_puts_one_point_in_every_slice_of_every_dimension() -> None:
    points = unit_samples(10, 3, seed=7, method="lhs")
    for dimension in range(3):
        slices = sorted(int(p[dimension] * 10) for p in points)
        assert slices == list(range(10))
    assert unit_samples(10, 3, seed=7, method="lhs") == points  # deterministic
    assert unit_samples(10, 3, seed=8, method="lhs") != points


def test_variants_are_the_grid_times_the_samples_in_a_fixed_order() -> None:
    axes = (
        parse_axis("halls.A.racks=[16 x A, 16 x B]"),
        parse_axis("site.power_price=0.06..0.09 USD/kWh"),
        parse_axis("site.pue=[1.2, 1.3]"),
    )
    found = list(variants(axes, samples=3, seed=1))
    assert space_size(axes, 3) == len(found) == 2 * 2 * 3
    assert [v.index for v in found] == list(range(12))
    # Values come in axis order; the same samples are used at every grid point.
    assert [p for p, _ in found[0].values] == ["halls.A.racks", "site.power_price", "site.pue"]
    prices = [[v.values[1][1] for v in found[i * 3 : i * 3 + 3]] for i in range(4)]
    assert prices[0] == prices[1] == prices[2] == prices[3]
    assert {v.values[0][1] for v in found} == {"16 x A", "16 x B"}
    assert list(variants(axes, samples=3, seed=1)) == found


def test_continuous_inputs_need_samples() -> None:
    with pytest.raises(SpaceError, match="--samples"):
        list(variants((parse_axis("site.pue=1..2"),), samples=None, seed=0))


def test_a_stepped_range_holds_at_most_max_steps_values() -> None:
    assert len(parse_axis(f"site.pue=1..{MAX_STEPS} step 1").values) == MAX_STEPS
    with pytest.raises(SpaceError, match=f"over the limit of {MAX_STEPS:,}"):
        parse_axis(f"site.pue=1..{MAX_STEPS + 1} step 1")
