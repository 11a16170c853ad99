"""SVG chart geometry for the HTML report, without a plotting library.

Each helper turns rows of (label, value, formatted text) into a `Chart`: plain
shapes with coordinates already computed and written as short decimal
strings, so the template only loops over them and the output is
byte-identical for the same input. Text widths are estimated from the font
size (no font metrics are available without a browser), generously enough
that labels do not collide.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

FONT_SIZE = 12
CHAR_WIDTH = 0.62 * FONT_SIZE  # a conservative average advance for a sans-serif face
ROW_HEIGHT = 26
BAR_HEIGHT = 16
CHART_WIDTH = 760
LABEL_MAX_CHARS = 28
PALETTE_SIZE = 6


def _n(value: float) -> str:
    """A coordinate with at most one decimal, never "-0"."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0"
    text = f"{rounded:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of the rendered width of `text` at `size` px."""
    return len(text) * 0.62 * size


def clip(text: str, max_chars: int = LABEL_MAX_CHARS) -> str:
    """`text` shortened with an ellipsis so it fits a label column."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


@dataclass(frozen=True)
class Rect:
    x: str
    y: str
    width: str
    height: str
    css: str
    title: str = ""


@dataclass(frozen=True)
class Text:
    x: str
    y: str
    text: str
    anchor: str = "start"  # start | middle | end
    css: str = ""


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str
    css: str


@dataclass(frozen=True)
class Circle:
    cx: str
    cy: str
    r: str
    css: str
    title: str = ""


@dataclass(frozen=True)
class Chart:
    """An SVG drawing: the template writes one element per shape."""

    width: int
    height: int
    label: str  # the accessible name, also the <title>
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart; `limit` draws a capacity marker."""

    label: str
    value: float
    text: str
    limit: float | None = None
    limit_text: str = ""


def bar_chart(label: str, bars: list[Bar], width: int = CHART_WIDTH) -> Chart:
    """Horizontal bars on one scale, each with its value (and limit) written at its end.

    A bar over its limit is drawn in the warning style; the limit is a tick
    mark across the bar row.
    """
    chart = Chart(width=width, height=max(1, len(bars)) * ROW_HEIGHT + 8, label=label)
    if not bars:
        return chart
    labels = [clip(bar.label) for bar in bars]
    label_width = min(max(text_width(text) for text in labels) + 12, width * 0.35)
    notes = [bar.text + (f" of {bar.limit_text}" if bar.limit_text else "") for bar in bars]
    note_width = max(text_width(note) for note in notes) + 12
    plot_width = max(width - label_width - note_width, width * 0.25)
    top = max(max(bar.value, bar.limit or 0.0) for bar in bars)
    scale = plot_width / top if top > 0 else 0.0
    for row, bar in enumerate(bars):
        y = 4 + row * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        over = bar.limit is not None and bar.value > bar.limit
        chart.texts.append(Text(_n(label_width - 8), _n(middle + 4), labels[row], "end", "label"))
        bar_width = max(bar.value, 0.0) * scale
        bar_y = middle - BAR_HEIGHT / 2
        if bar.limit is not None:
            chart.rects.append(
                Rect(
                    _n(label_width),
                    _n(bar_y),
                    _n(bar.limit * scale),
                    _n(BAR_HEIGHT),
                    "track",
                    f"capacity {bar.limit_text}",
                )
            )
        chart.rects.append(
            Rect(
                _n(label_width),
                _n(bar_y),
                _n(bar_width),
                _n(BAR_HEIGHT),
                "bar over" if over else "bar",
                f"{bar.label}: {notes[row]}",
            )
        )
        if bar.limit is not None:
            x = label_width + bar.limit * scale
            chart.lines.append(
                Line(_n(x), _n(bar_y - 3), _n(x), _n(bar_y + BAR_HEIGHT + 3), "limit")
            )
        end = label_width + max(bar_width, (bar.limit or 0.0) * scale)
        chart.texts.append(
            Text(
                _n(end + 6), _n(middle + 4), notes[row], "start", "value over" if over else "value"
            )
        )
    return chart


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    text: str


def stacked_bar(label: str, segments: list[Segment], width: int = CHART_WIDTH) -> Chart:
    """One bar split into coloured segments, with a legend row per segment."""
    shown = [segment for segment in segments if segment.value > 0]
    total = sum(segment.value for segment in shown)
    legend_top = 44
    chart = Chart(width=width, height=legend_top + max(1, len(shown)) * 22 + 4, label=label)
    if total <= 0:
        return chart
    x = 0.0
    for index, segment in enumerate(shown):
        segment_width = segment.value / total * width
        share = segment.value / total
        chart.rects.append(
            Rect(
                _n(x),
                "4",
                _n(segment_width),
                "28",
                f"seg seg{index % PALETTE_SIZE}",
                f"{segment.label}: {segment.text} ({share:.0%})",
            )
        )
        x += segment_width
        y = legend_top + index * 22
        chart.rects.append(Rect("0", _n(y), "14", "14", f"seg seg{index % PALETTE_SIZE}"))
        chart.texts.append(Text("22", _n(y + 12), clip(segment.label, 40), "start", "label"))
        chart.texts.append(
            Text(_n(width), _n(y + 12), f"{segment.text} ({share:.0%})", "end", "value")
        )
    return chart


@dataclass(frozen=True)
class Tier:
    """One layer of a network drawing: switches (or endpoints) and the links up from it."""

    name: str
    count: int
    text: str  # e.g. "8 leaf switches"
    uplinks: int = 0  # links from this tier to the next one up
    uplinks_text: str = ""


MAX_BOXES = 12


def tier_diagram(label: str, tiers: list[Tier], width: int = CHART_WIDTH) -> Chart:
    """A layered drawing of a folded Clos, bottom tier first in `tiers`.

    Each tier draws up to `MAX_BOXES` boxes (an ellipsis marks the rest) and
    its label with the real count; a fan of lines joins adjacent tiers, with
    the link count written beside it.
    """
    row_gap = 86
    box_height = 24
    chart = Chart(width=width, height=len(tiers) * row_gap - row_gap + box_height + 16, label=label)
    if not tiers:
        return chart
    text_column = 190.0
    area_left, area_right = 12.0, width - text_column
    centres: list[list[float]] = []
    for level, tier in enumerate(tiers):
        y = 8 + (len(tiers) - 1 - level) * row_gap
        slots = max(min(tier.count, MAX_BOXES), 1)
        # when boxes are left out, the middle slot holds an ellipsis instead of a box
        gap = slots // 2 if tier.count > MAX_BOXES else -1
        pitch = (area_right - area_left) / slots
        box_width = min(48.0, pitch - 8)
        css = "node endpoint" if level == 0 else "node"
        row: list[float] = []
        for slot in range(slots):
            centre = area_left + pitch * (slot + 0.5)
            if slot == gap:
                chart.texts.append(
                    Text(_n(centre), _n(y + box_height / 2 + 5), "…", "middle", "ellipsis")
                )
                continue
            if tier.count == 0:
                continue
            row.append(centre)
            chart.rects.append(
                Rect(
                    _n(centre - box_width / 2), _n(y), _n(box_width), _n(box_height), css, tier.text
                )
            )
        centres.append(row)
        chart.texts.append(
            Text(_n(area_right + 16), _n(y + 16), clip(tier.text, 30), "start", "tier")
        )
    for level in range(len(tiers) - 1):
        lower, upper = centres[level], centres[level + 1]
        y_low = 8 + (len(tiers) - 1 - level) * row_gap
        y_high = 8 + (len(tiers) - 2 - level) * row_gap + box_height
        for x_low in lower:
            for x_high in upper:
                chart.lines.append(Line(_n(x_low), _n(y_low), _n(x_high), _n(y_high), "link"))
        tier = tiers[level]
        if tier.uplinks_text:
            chart.texts.append(
                Text(
                    _n(area_right + 16),
                    _n((y_low + y_high) / 2 + 4),
                    tier.uplinks_text,
                    "start",
                    "links",
                )
            )
    return chart


@dataclass(frozen=True)
class Series:
    """One line of a line chart: (x, y) points in data units, drawn in order."""

    label: str
    points: list[tuple[float, float]]
    css: str = "series0"


@dataclass(frozen=True)
class Mark:
    """A marked point of a line chart (an operating point), with its label."""

    label: str
    x: float
    y: float
    css: str = "series0"


def _log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten (and 2 x, 5 x when few) between `low` and `high`."""
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(high))
    decades = [10.0**e for e in range(first, last + 1)]
    if len(decades) <= 3:
        decades = sorted({d * m for d in decades for m in (1, 2, 5)})
    return [t for t in decades if low <= t <= high] or [low, high]


def _linear_ticks(high: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to the first one at or above `high`."""
    if high <= 0:
        return [0.0]
    raw = high / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < high * (1 - 1e-9):
        ticks.append(ticks[-1] + step)
    return ticks


def _tick_text(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def line_chart(
    label: str,
    series: list[Series],
    marks: list[Mark],
    *,
    x_label: str,
    y_label: str,
    width: int = CHART_WIDTH,
    height: int = 340,
) -> Chart:
    """Lines on a linear x axis from 0 and a logarithmic y axis, with marked points.

    Points with a non-positive y are left out (a log axis has no place for
    them); the legend lists each series, then each mark.
    """
    entries = [(s.label, f"key {s.css}") for s in series] + [
        (m.label, f"key mark {m.css}") for m in marks if m.y > 0
    ]
    legend_rows = _legend_rows([text for text, _ in entries], width - 64)
    chart = Chart(width=width, height=height + 18 * (len(legend_rows) - 1), label=label)
    values = [(x, y) for s in series for x, y in s.points if y > 0 and x >= 0]
    values += [(m.x, m.y) for m in marks if m.y > 0]
    if not values:
        return chart
    left, right, top, bottom = 64.0, 16.0, 30.0, 64.0
    plot_w, plot_h = width - left - right, height - top - bottom
    x_ticks = _linear_ticks(max(x for x, _ in values))
    y_low = min(y for _, y in values) / 1.3
    y_high = max(y for _, y in values) * 1.3
    y_ticks = _log_ticks(y_low, y_high)
    x_max = x_ticks[-1] or 1.0
    log_low, log_high = math.log10(y_low), math.log10(y_high)

    def px(x: float) -> float:
        return left + x / x_max * plot_w

    def py(y: float) -> float:
        return top + (log_high - math.log10(y)) / (log_high - log_low) * plot_h

    for tick in x_ticks:
        chart.lines.append(Line(_n(px(tick)), _n(top), _n(px(tick)), _n(top + plot_h), "grid"))
        chart.texts.append(Text(_n(px(tick)), _n(top + plot_h + 16), _tick_text(tick), "middle"))
    for tick in y_ticks:
        chart.lines.append(Line(_n(left), _n(py(tick)), _n(left + plot_w), _n(py(tick)), "grid"))
        chart.texts.append(Text(_n(left - 6), _n(py(tick) + 4), _tick_text(tick), "end"))
    chart.lines.append(
        Line(_n(left), _n(top + plot_h), _n(left + plot_w), _n(top + plot_h), "axis")
    )
    chart.lines.append(Line(_n(left), _n(top), _n(left), _n(top + plot_h), "axis"))
    chart.texts.append(
        Text(_n(left + plot_w / 2), _n(top + plot_h + 34), x_label, "middle", "label")
    )
    chart.texts.append(Text("4", "14", y_label, "start", "label"))
    for s in series:
        points = [(x, y) for x, y in s.points if y > 0 and x >= 0]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            chart.lines.append(Line(_n(px(x1)), _n(py(y1)), _n(px(x2)), _n(py(y2)), s.css))
    for mark in marks:
        if mark.y <= 0:
            continue
        chart.circles.append(
            Circle(_n(px(mark.x)), _n(py(mark.y)), "5", f"mark {mark.css}", mark.label)
        )
    css_of = dict(entries)
    for row, texts in enumerate(legend_rows):
        legend_y = top + plot_h + 52 + 18 * row
        x = left
        for text in texts:
            chart.rects.append(Rect(_n(x), _n(legend_y - 9), "12", "4", css_of[text]))
            chart.texts.append(Text(_n(x + 16), _n(legend_y - 4), clip(text, 60), "start", "label"))
            x += 16 + text_width(clip(text, 60)) + 18
    return chart


def _legend_rows(texts: list[str], width: float) -> list[list[str]]:
    """Legend entries packed into rows no wider than `width`."""
    rows: list[list[str]] = [[]]
    used = 0.0
    for text in texts:
        size = 16 + text_width(clip(text, 60)) + 18
        if rows[-1] and used + size > width:
            rows.append([])
            used = 0.0
        rows[-1].append(text)
        used += size
    return rows
