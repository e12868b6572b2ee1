"""Horizontal bars, one row per domain, with the peers' range and median behind them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .legend import Key, legend
from .parts import LINE_HEIGHT, grid_line, label_lines, scale_number, wrapped_label
from .style import (
    DEFAULT_MAX_LABEL_CHARS,
    FONT_SIZE,
    GRID_LEVELS,
    INSTITUTION,
    IQR_BAND,
    MUTED,
    NO_SCORE,
    PAD,
    PEERS,
    PLAIN,
    SMALL_FONT_SIZE,
    Typeset,
)
from .svg import attributes, check_colour, check_common, document, el, group, text
from .text import fit, px, units
from .values import Number, check_lengths, clamp, show, value

_ROW_HEIGHT = 26
_BAR_HEIGHT = 12
_BAND_HEIGHT = 20
_TICK_HEIGHT = 22
_AXIS_ROOM = 17  # under the rows, for the scale numbers


@dataclass(frozen=True)
class _Layout:
    width: int
    rtl: bool
    labels: list[list[str]]  # each category label, wrapped
    row_height: float
    x0: float  # where 0 is, before mirroring
    x1: float  # where 100 is
    top: float
    rows_bottom: float

    def fx(self, x: float) -> float:
        """``x`` measured from the start edge, mirrored when right to left."""
        return self.width - x if self.rtl else x

    def start_anchor(self) -> str:
        return "end" if self.rtl else "start"

    def scale(self, v: float) -> float:
        return self.x0 + (self.x1 - self.x0) * clamp(v) / 100

    def mid(self, row: int) -> float:
        return self.top + row * self.row_height + self.row_height / 2

    def rect(self, left: float, right: float, y: float, h: float, **attrs: object) -> str:
        # rounded before subtracting, so that bars sharing an edge still share it
        a, b = sorted((round(self.fx(left), 1), round(self.fx(right), 1)))
        return el("rect", {"x": a, "y": y, "width": b - a, "height": h} | attributes(attrs))


def _layout(categories: list[str], width: int, rtl: bool, max_label_chars: int) -> _Layout:
    value_room = px(5, SMALL_FONT_SIZE) + 9  # "100.0" after a full bar (or a median at 100)
    line_units = min(max_label_chars, fit(width * 0.4))
    labels = [label_lines(c, line_units) for c in categories]
    widest = max((units(line) for lines in labels for line in lines), default=0)
    x0 = PAD + px(widest) + 10
    x1 = width - PAD - value_room
    if x1 - x0 < 60:
        raise ValueError(f"width {width} is too small for the labels")
    # every row as high as the label with the most lines, so that the bars stay evenly spaced
    lines_max = max((len(lines) for lines in labels), default=1)
    row_height = max(_ROW_HEIGHT, lines_max * LINE_HEIGHT + 6)
    rows_bottom = PAD + len(categories) * row_height
    return _Layout(width, rtl, labels, row_height, x0, x1, PAD, rows_bottom)


def _grid(layout: _Layout) -> list[str]:
    parts = []
    for level in GRID_LEVELS:
        x = layout.fx(layout.scale(level))
        parts.append(grid_line(x, layout.top, x, layout.rows_bottom, axis=level == 0))
        parts.append(scale_number(x, layout.rows_bottom + 13, level, "middle"))
    return parts


def _value_text(
    layout: _Layout,
    mid: float,
    raw: Number,
    number: float,
    median: float | None,
    typeset: Typeset,
) -> str:
    """The value written after the end of its bar (the value as given, not the clamped one)."""
    end = layout.scale(number)
    shown = show(raw, typeset.number)
    text_start = end + 4
    if median is not None:  # step over a median tick that the text would cross
        tick = layout.scale(median)
        if end - 2 <= tick <= text_start + px(len(shown), SMALL_FONT_SIZE) + 2:
            text_start = max(text_start, tick + 5)
    return text(
        layout.fx(text_start),
        mid + SMALL_FONT_SIZE * 0.35,
        shown,
        font_size=SMALL_FONT_SIZE,
        text_anchor=layout.start_anchor(),
    )


def _no_score(layout: _Layout, mid: float) -> str:
    return text(
        layout.fx(layout.x0 + 4),
        mid + SMALL_FONT_SIZE * 0.35,
        NO_SCORE,
        font_size=SMALL_FONT_SIZE,
        fill=MUTED,
        text_anchor=layout.start_anchor(),
    )


def _median_tick(layout: _Layout, mid: float, median: float) -> str:
    x = layout.fx(layout.scale(median))
    half = _TICK_HEIGHT / 2
    return el(
        "line",
        {
            "x1": x,
            "y1": mid - half,
            "x2": x,
            "y2": mid + half,
            "stroke": PEERS,
            "stroke-width": 2.5,
        },
    )


def _layers(
    layout: _Layout,
    raw_values: list[float | None],
    nums: list[float | None],
    bands: list[tuple[float, float] | None],
    mids: list[float | None],
    colour: str,
    typeset: Typeset,
) -> dict[str, list[str]]:
    """The data layers, back to front: peer ranges, bars, medians, value texts."""
    layers: dict[str, list[str]] = {"ranges": [], "bars": [], "medians": [], "values": []}
    for i, (raw, number, band, median) in enumerate(
        zip(raw_values, nums, bands, mids, strict=True)
    ):
        mid = layout.mid(i)
        if band is not None:
            low, high = layout.scale(band[0]), layout.scale(band[1])
            layers["ranges"].append(
                layout.rect(low, high, mid - _BAND_HEIGHT / 2, _BAND_HEIGHT, fill=IQR_BAND)
            )
        if raw is None or number is None:
            layers["values"].append(_no_score(layout, mid))
        else:
            end = layout.scale(number)
            bar = layout.rect(layout.x0, end, mid - _BAR_HEIGHT / 2, _BAR_HEIGHT, fill=colour)
            layers["bars"].append(bar)
            layers["values"].append(_value_text(layout, mid, raw, number, median, typeset))
        if median is not None:
            layers["medians"].append(_median_tick(layout, mid, median))
    return layers


def _labels(layout: _Layout, categories: list[str], visual: bool) -> list[str]:
    """Each label beside its row, its lines centred on the bar."""
    return [
        wrapped_label(
            layout.fx(PAD),
            layout.mid(i) + FONT_SIZE * 0.35 - (len(lines) - 1) * LINE_HEIGHT / 2,
            category,
            lines,
            visual,
            text_anchor=layout.start_anchor(),
        )
        for i, (category, lines) in enumerate(zip(categories, layout.labels, strict=True))
    ]


def _band(r: tuple[float, float] | None) -> tuple[float, float] | None:
    if r is None:
        return None
    low, high = value(r[0]), value(r[1])
    if low is None or high is None:
        raise TypeError(f"a range needs two numbers: {r!r}")
    return (low, high) if low <= high else (high, low)


def _keys(
    value_label: str,
    range_label: str,
    median_label: str,
    colour: str,
    ranges: object | None,
    medians: object | None,
) -> list[Key]:
    """A legend entry for each label given, unless it names data that is not there."""
    keys = []
    if value_label:
        keys.append(Key(value_label, colour))
    if range_label and ranges is not None:
        keys.append(Key(range_label, IQR_BAND))
    if median_label and medians is not None:
        keys.append(Key(median_label, PEERS, "tick"))
    return keys


def bar_chart(
    *,
    categories: list[str],
    values: list[float | None],
    ranges: list[tuple[float, float] | None] | None = None,
    medians: list[float | None] | None = None,
    title: str,
    description: str,
    id_prefix: str,
    width: int = 560,
    value_label: str = "",
    range_label: str = "",
    median_label: str = "",
    rtl: bool = False,
    colour: str = INSTITUTION,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
    typeset: Typeset = PLAIN,
) -> str:
    """Horizontal bars, one row per category, on a 0..100 scale.

    Each row shows the category label (wrapped onto up to three lines of
    ``max_label_chars``, then cut with "…"), then a bar from 0 to the value with the value
    written at its end; a ``None`` value shows an em dash "—" and no bar. Behind the
    bar an optional grey band spans the peers' interquartile range (``ranges[i] =
    (p25, p75)``) and a thin orange tick marks the peers' median (``medians[i]``).
    Vertical grid lines at 0, 25, 50, 75 and 100 are labelled under the rows; the
    height grows with the number of categories. The legend has an entry for each of
    ``value_label``, ``range_label`` and ``median_label`` that is given (and whose
    data is). ``rtl`` mirrors the chart: labels on the right, bars growing leftwards.
    """
    check_common(id_prefix, max_label_chars)
    check_colour(colour)
    n = len(categories)
    for name, items in (("values", values), ("ranges", ranges), ("medians", medians)):
        check_lengths(name, items, n)
    nums = [value(v) for v in values]
    bands = [_band(r) for r in (ranges or [None] * n)]
    mids = [value(m) for m in (medians or [None] * n)]
    layout = _layout(categories, width, rtl, max_label_chars)
    layers = {"grid": _grid(layout), "labels": _labels(layout, categories, for_weasyprint)}
    layers |= _layers(layout, values, nums, bands, mids, colour, typeset)
    keys = _keys(value_label, range_label, median_label, colour, ranges, medians)
    axis_bottom = layout.rows_bottom + _AXIS_ROOM
    legend_markup, legend_height = legend(
        keys,
        width=width,
        top=axis_bottom + 8,
        rtl=rtl,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    height = axis_bottom + (legend_height + 8 if legend_markup else 0) + PAD
    body = "".join(group(f"{id_prefix}-{name}", parts) for name, parts in layers.items())
    return document(
        width=width,
        height=math.ceil(height),
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body + legend_markup,
        fonts=typeset.fonts,
    )
