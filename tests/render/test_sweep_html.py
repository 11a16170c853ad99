"""The sweep report's charts: scatter geometry, categories, the front line."""

from __future__ import annotations

from aiflang.render.scatter import Point, scatter_chart, tick_text
from aiflang.render.sweep import _number


def test_values_are_numbers_only_when_they_are_quantities() -> None:
    assert _number("1.2") == 1.2
    assert _number("85%") == 85.0
    assert _number("0.07 USD/kWh") == 0.07
    assert _number("16 x GB200_NVL72") is None
    assert _number("{ liquid = 84 MW }") is None
    assert _number("2:1") is None


def test_points_fall_inside_the_plot_in_value_order() -> None:
    points = [Point(0.0, 0.0), Point(10.0, 5.0, "pt front"), Point(5.0, 10.0, "pt front")]
    chart = scatter_chart("c", "x", "y", points, front=points[1:])
    xs = [float(r.x) for r in chart.rects]
    ys = [float(r.y) for r in chart.rects]
    # x grows to the right, y grows upwards (SVG y downwards), 5% padding on each side.
    assert xs[0] < xs[2] < xs[1]
    assert ys[2] < ys[1] < ys[0]
    assert all(78 <= x <= chart.width - 16 for x in xs)
    # One front segment joins the two front points, in x order.
    fronts = [line for line in chart.lines if line.css == "front"]
    assert len(fronts) == 1 and float(fronts[0].x1) < float(fronts[0].x2)


def test_categories_get_one_tick_each() -> None:
    chart = scatter_chart("c", "x", "y", [Point(0, 1), Point(1, 2)], categories=["A", "B"])
    labels = [t.text for t in chart.texts]
    assert "A" in labels and "B" in labels
    assert tick_text(1.5e6) == "1.5M" and tick_text(0.38) == "0.38" and tick_text(2500) == "2.5k"
