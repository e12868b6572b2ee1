"""The trend chart: one line per series across assessment cycles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from .legend import Key, legend
from .parts import category_label, grid_line, scale_number
from .series import Series, Values, check_series, marker, series_keys, stroke
from .style import (
    DEFAULT_MAX_LABEL_CHARS,
    GRID_LEVELS,
    PAD,
    PLAIN,
    SMALL_FONT_SIZE,
    TEXT,
    Typeset,
)
from .svg import check_common, document, el, group, polyline_points, text
from .text import clean, fit, px, units
from .values import check_lengths, clamp, show

_LEGEND_GAP = 8  # between the cycle labels and the legend
_LABEL_ROOM = 20  # under the plot, for the cycle labels


@dataclass(frozen=True)
class _Marks:
    hollow: list[bool]  # per cycle
    hollow_label: str
    values: bool


@dataclass(frozen=True)
class _Layout:
    width: int
    rtl: bool
    left: float
    right: float
    top: float
    bottom: float
    slot: float  # the width of one cycle

    def fx(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def y(self, level: float) -> float:
        return self.bottom - (self.bottom - self.top) * level / 100

    def xy(self, i: int, v: float) -> tuple[float, float]:
        return self.fx(self.left + (i + 0.5) * self.slot), self.y(clamp(v))


def _layout(n: int, width: int, height: int, rtl: bool, legend_height: float) -> _Layout:
    scale_room = px(3, SMALL_FONT_SIZE) + 8  # "100" left of the plot
    left, right = PAD + scale_room, width - PAD
    top = PAD + 4
    legend_room = legend_height + _LEGEND_GAP if legend_height else 0.0
    bottom = height - PAD - legend_room - _LABEL_ROOM
    if bottom - top < 40 or right - left < 40:
        raise ValueError(f"{width}x{height} is too small for this chart")
    return _Layout(width, rtl, left, right, top, bottom, (right - left) / n)


def _grid(layout: _Layout) -> list[str]:
    parts = []
    for level in GRID_LEVELS:
        y = layout.y(level)
        line = grid_line(layout.fx(layout.left), y, layout.fx(layout.right), y, axis=level == 0)
        parts.append(line)
        anchor = "start" if layout.rtl else "end"
        x = layout.fx(layout.left - 5)
        parts.append(scale_number(x, y + SMALL_FONT_SIZE * 0.35, level, anchor))
    return parts


def _labels(layout: _Layout, cycles: list[str], max_label_chars: int, visual: bool) -> list[str]:
    """Cycle labels under their slots: keep at least a few characters readable,
    showing only every k-th label when slots are too narrow for that."""
    wanted = min(max_label_chars, max(units(clean(c)) for c in cycles))
    readable = min(wanted, 8)
    step = max(1, math.ceil((px(readable, SMALL_FONT_SIZE) + 6) / layout.slot))
    label_units = min(wanted, fit(layout.slot * step - 6, SMALL_FONT_SIZE))
    return [
        category_label(
            layout.xy(i, 0)[0],
            layout.bottom + 14,
            cycle,
            label_units,
            visual,
            font_size=SMALL_FONT_SIZE,
            text_anchor="middle",
        )
        for i, cycle in enumerate(cycles)
        if i % step == 0
    ]


def _value_label(layout: _Layout, x: float, y: float, v: float, typeset: Typeset) -> str:
    # Above the point, or below it when the point is at the top of the plot.
    above = y - 8 >= layout.top + SMALL_FONT_SIZE
    return text(
        x,
        y - 8 if above else y + 8 + SMALL_FONT_SIZE,
        show(v, typeset.number),
        font_size=SMALL_FONT_SIZE,
        fill=TEXT,
        text_anchor="middle",
    )


def _series(
    layout: _Layout,
    s: Series,
    vals: Values,
    cycles: list[str],
    marks: _Marks,
    typeset: Typeset,
) -> list[str]:
    """Polylines broken at each ``None``, then a marker on every point (a point with no
    neighbour is only a marker), hollow where ``marks`` says so, and the values."""
    runs: list[list[tuple[float, float]]] = [[]]
    markers = []
    for i, v in enumerate(vals):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        x, y = layout.xy(i, v)
        runs[-1].append((x, y))
        hollow = marks.hollow_label if marks.hollow[i] else ""
        markers.append(marker(x, y, s, cycles[i], v, typeset, hollow=hollow))
        if marks.values:
            markers.append(_value_label(layout, x, y, v, typeset))
    lines = [
        el("polyline", {"points": polyline_points(run), **stroke(s)})
        for run in runs
        if len(run) >= 2
    ]
    return lines + markers


def trend_chart(
    *,
    cycles: list[str],
    series: list[Series],
    title: str,
    description: str,
    id_prefix: str,
    width: int = 560,
    height: int = 260,
    rtl: bool = False,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
    typeset: Typeset = PLAIN,
    hollow: Sequence[bool] | None = None,
    hollow_label: str = "",
    value_labels: bool = False,
) -> str:
    """A line chart across assessment cycles, in order, on a 0..100 scale.

    ``hollow`` (one flag per cycle) draws those cycles' points hollow, and the legend
    explains them with ``hollow_label`` (e.g. "not validated"); ``value_labels`` writes
    each point's value above it.

    Each cycle gets an equal slot with its point in the middle, and the cycle label
    under it (labels are truncated to their slot, and when slots are very narrow
    only every k-th label is shown). One polyline per series with a round marker on
    every point; a ``None`` value has no marker and breaks the line, so a series
    can be drawn as several polylines, and a point with no neighbour is a lone
    marker. ``rtl`` puts the first cycle on the right and the scale on the right.
    The legend is inside ``height``.
    """
    check_common(id_prefix, max_label_chars)
    n = len(cycles)
    if n == 0:
        raise ValueError("a trend chart needs at least one cycle")
    values = check_series(series, n, "cycle")
    check_lengths("hollow", hollow, n)
    marks = _Marks(
        hollow=list(hollow) if hollow is not None else [False] * n,
        hollow_label=hollow_label,
        values=value_labels,
    )
    keys = series_keys(series)
    if any(marks.hollow) and hollow_label:
        keys.append(Key(hollow_label, series[0].colour if series else TEXT, "hollow"))
    # The height is fixed, so the legend is laid out first to learn how much room it takes.
    place_legend = partial(
        legend,
        keys,
        width=width,
        rtl=rtl,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    legend_markup, legend_height = place_legend(top=0)
    layout = _layout(n, width, height, rtl, legend_height if legend_markup else 0)
    if legend_markup:
        legend_markup, _ = place_legend(top=layout.bottom + _LABEL_ROOM + _LEGEND_GAP)
    drawn = [
        group(f"{id_prefix}-series-{index}", _series(layout, s, vals, cycles, marks, typeset))
        for index, (s, vals) in enumerate(zip(series, values, strict=True))
    ]
    body = (
        group(f"{id_prefix}-grid", _grid(layout))
        + group(f"{id_prefix}-labels", _labels(layout, cycles, max_label_chars, for_weasyprint))
        + "".join(drawn)
        + legend_markup
    )
    return document(
        width=width,
        height=height,
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body,
        fonts=typeset.fonts,
    )
