"""Scatter and tornado charts: a sweep's variants and what moves an uncertain figure.

Built on the primitives of `render.charts` (the same `Chart` of shapes with
coordinates already computed as short decimal strings), so the templates
draw them like every other chart and the output is byte-identical for the
same input. Used by the sweep report (`render.sweep`) and the uncertainty
section of the design report (`render.html`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from aiflang.render.charts import (
    BAR_HEIGHT,
    CHAR_WIDTH,
    CHART_WIDTH,
    LABEL_MAX_CHARS,
    ROW_HEIGHT,
    Chart,
    Line,
    Rect,
    Text,
    _n,  # the charts' one coordinate format
    clip,
)


@dataclass(frozen=True)
class Point:
    """One point of a scatter chart: x, y, a class (`pt`, `pt front`, `pt out`), a tooltip."""

    x: float
    y: float
    css: str = "pt"
    title: str = ""


SCATTER_HEIGHT = 320
POINT_SIZE = 6
_MARGIN_LEFT, _MARGIN_BOTTOM, _MARGIN_TOP, _MARGIN_RIGHT = 78, 44, 30, 16


def tick_text(value: float) -> str:
    """A tick label: three significant digits, with k, M, G, T for large values."""
    magnitude = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def _span(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        pad = abs(low) * 0.05 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.05
    return low - pad, high + pad


def scatter_chart(
    label: str,
    x_label: str,
    y_label: str,
    points: list[Point],
    *,
    categories: list[str] | None = None,
    front: list[Point] | None = None,
    width: int = CHART_WIDTH,
) -> Chart:
    """A scatter of `points` (drawn in order, so later ones sit on top).

    With `categories`, x is the index of a category and each gets a tick;
    `front` points are joined by a step line in x order (a Pareto front).
    """
    chart = Chart(width=width, height=SCATTER_HEIGHT, label=label)
    plot_w = width - _MARGIN_LEFT - _MARGIN_RIGHT
    plot_h = SCATTER_HEIGHT - _MARGIN_TOP - _MARGIN_BOTTOM
    bottom = _MARGIN_TOP + plot_h
    chart.lines.append(
        Line(_n(_MARGIN_LEFT), _n(bottom), _n(width - _MARGIN_RIGHT), _n(bottom), "axis")
    )
    chart.lines.append(
        Line(_n(_MARGIN_LEFT), _n(_MARGIN_TOP), _n(_MARGIN_LEFT), _n(bottom), "axis")
    )
    chart.texts.append(
        Text(
            _n(_MARGIN_LEFT + plot_w / 2),
            _n(SCATTER_HEIGHT - 6),
            clip(x_label, 90),
            "middle",
            "axis-label",
        )
    )
    chart.texts.append(Text("4", "14", clip(y_label, 90), "start", "axis-label"))
    if not points:
        chart.texts.append(
            Text(
                _n(_MARGIN_LEFT + plot_w / 2),
                _n(_MARGIN_TOP + plot_h / 2),
                "no variant has both figures",
                "middle",
                "value",
            )
        )
        return chart
    if categories is not None:
        x_low, x_high = -0.5, len(categories) - 0.5
    else:
        x_low, x_high = _span([p.x for p in points])
    y_low, y_high = _span([p.y for p in points])

    def sx(x: float) -> float:
        return _MARGIN_LEFT + (x - x_low) / (x_high - x_low) * plot_w

    def sy(y: float) -> float:
        return bottom - (y - y_low) / (y_high - y_low) * plot_h

    if categories is not None:
        x_ticks = [(float(i), clip(c, 24)) for i, c in enumerate(categories)]
    else:
        x_ticks = [(x_low + (x_high - x_low) * k / 4, "") for k in range(5)]
        x_ticks = [(x, tick_text(x)) for x, _ in x_ticks]
    for x, text in x_ticks:
        chart.lines.append(Line(_n(sx(x)), _n(bottom), _n(sx(x)), _n(bottom + 4), "axis"))
        chart.texts.append(Text(_n(sx(x)), _n(bottom + 16), text, "middle", "value"))
    for k in range(5):
        y = y_low + (y_high - y_low) * k / 4
        chart.lines.append(
            Line(_n(_MARGIN_LEFT - 4), _n(sy(y)), _n(_MARGIN_LEFT), _n(sy(y)), "axis")
        )
        chart.texts.append(Text(_n(_MARGIN_LEFT - 6), _n(sy(y) + 4), tick_text(y), "end", "value"))
    if front:
        ordered = sorted(front, key=lambda p: (p.x, p.y))
        for a, b in itertools.pairwise(ordered):
            chart.lines.append(Line(_n(sx(a.x)), _n(sy(a.y)), _n(sx(b.x)), _n(sy(b.y)), "front"))
    half = POINT_SIZE / 2
    for p in points:
        chart.rects.append(
            Rect(
                _n(sx(p.x) - half),
                _n(sy(p.y) - half),
                _n(POINT_SIZE),
                _n(POINT_SIZE),
                p.css,
                p.title,
            )
        )
    return chart


@dataclass(frozen=True)
class Swing:
    """One bar of a tornado chart: an input and the figure at its low and high values."""

    label: str
    at_low: float
    at_high: float
    text: str  # the range of the figure, formatted


def tornado_chart(label: str, base: float, swings: list[Swing], width: int = CHART_WIDTH) -> Chart:
    """Horizontal bars from the figure at each input's low value to its high value,
    around a vertical line at the nominal figure `base`; the widest bar first."""
    label_width = CHAR_WIDTH * LABEL_MAX_CHARS + 12
    value_width = 250
    plot_x = label_width
    plot_w = width - label_width - value_width
    height = ROW_HEIGHT * max(len(swings), 1) + 12
    chart = Chart(width=width, height=height, label=label)
    ends = [base] + [v for s in swings for v in (s.at_low, s.at_high)]
    low, high = min(ends), max(ends)
    if high == low:
        high, low = high + 1.0, low - 1.0

    def sx(value: float) -> float:
        return plot_x + (value - low) / (high - low) * plot_w

    for row, swing in enumerate(swings):
        y = 6 + row * ROW_HEIGHT
        left, right = sorted((sx(swing.at_low), sx(swing.at_high)))
        chart.texts.append(Text("0", _n(y + BAR_HEIGHT - 3), clip(swing.label)))
        chart.rects.append(
            Rect(_n(left), _n(y), _n(max(right - left, 1.0)), _n(BAR_HEIGHT), "bar", swing.text)
        )
        chart.texts.append(
            Text(_n(plot_x + plot_w + 6), _n(y + BAR_HEIGHT - 3), swing.text, "start", "value")
        )
    chart.lines.append(Line(_n(sx(base)), "2", _n(sx(base)), _n(height - 2), "limit"))
    return chart
