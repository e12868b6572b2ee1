"""The radar (spider) chart: one spoke per domain."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .legend import legend
from .parts import LINE_HEIGHT, grid_line, label_lines, scale_number, wrapped_label
from .series import Series, Values, check_series, marker, series_keys, stroke
from .style import (
    AXIS,
    DEFAULT_MAX_LABEL_CHARS,
    FONT_SIZE,
    GRID,
    GRID_LEVELS,
    PAD,
    PLAIN,
    Typeset,
)
from .svg import check_common, document, el, group, num
from .text import fit, px, units
from .values import clamp

_LINE_HEIGHT = LINE_HEIGHT
_GAP = 8  # between the outer ring and the labels


@dataclass(frozen=True)
class _Layout:
    n: int
    rtl: bool
    cx: float
    cy: float
    radius: float
    vertical_room: float  # above and below the outer ring, for the lines of labels
    labels: list[list[str]]  # each axis label, truncated and wrapped

    def angle(self, i: int) -> float:
        # the first axis points up; the others follow in reading direction
        step = 2 * math.pi * i / self.n
        return -math.pi / 2 + (-step if self.rtl else step)

    def point(self, i: int, level: float, extra: float = 0.0) -> tuple[float, float]:
        r = self.radius * clamp(level) / 100 + extra
        return self.cx + r * math.cos(self.angle(i)), self.cy + r * math.sin(self.angle(i))

    def points(self, vals: Sequence[float | None]) -> str:
        # a missing value sits at the centre so that the polygon stays closed
        return " ".join(
            f"{num(x)},{num(y)}"
            for x, y in (self.point(i, 0.0 if v is None else v) for i, v in enumerate(vals))
        )


def _layout(axes: list[str], size: int, rtl: bool, max_label_chars: int) -> _Layout:
    min_radius = size * 0.24
    # Lines of at most half the allowed characters each, and no wider than what leaves
    # the smallest acceptable radius.
    line_units = min(math.ceil(max_label_chars / 2), fit(size / 2 - min_radius - _GAP - PAD))
    labels = [label_lines(axis, line_units) for axis in axes]
    widest = max(px(units(line)) for lines in labels for line in lines)
    lines_max = max(len(lines) for lines in labels)
    radius = max(min_radius, min(size / 2 - PAD - _GAP - widest, size * 0.4))
    vertical_room = _GAP + lines_max * _LINE_HEIGHT + 4
    return _Layout(
        n=len(axes),
        rtl=rtl,
        cx=size / 2,
        cy=PAD + vertical_room + radius,
        radius=radius,
        vertical_room=vertical_room,
        labels=labels,
    )


def _grid(layout: _Layout) -> list[str]:
    n, cx, cy = layout.n, layout.cx, layout.cy
    parts = [
        el(
            "polygon",
            {
                "points": layout.points([level] * n),
                "fill": "none",
                "stroke": AXIS if level == 100 else GRID,
                "stroke-width": 1,
            },
        )
        for level in GRID_LEVELS[1:]
    ]
    parts += [grid_line(cx, cy, *layout.point(i, 100)) for i in range(n)]
    # The scale sits just inside each ring, between the last axis and the first, where
    # no marker can hide it.
    bisector = layout.angle(0) + (math.pi / n if layout.rtl else -math.pi / n)
    inset = math.cos(math.pi / n) if n > 2 else 1.0
    for level in GRID_LEVELS[1:]:
        distance = layout.radius * level / 100 * inset - 7
        x = cx + distance * math.cos(bisector)
        y = cy + distance * math.sin(bisector) + 3
        parts.append(scale_number(x, y, level, "middle", font_size=8))
    return parts


def _axis_label(layout: _Layout, i: int, axis: str, visual: bool) -> str:
    """The label beyond the end of spoke ``i``, anchored away from the centre."""
    lines = layout.labels[i]
    x, y = layout.point(i, 100, _GAP)
    cos, sin = math.cos(layout.angle(i)), math.sin(layout.angle(i))
    anchor = "start" if cos > 0.15 else "end" if cos < -0.15 else "middle"
    if sin < -0.15:  # above the centre: the last line sits on the point
        first = y - 3 - (len(lines) - 1) * _LINE_HEIGHT
    elif sin > 0.15:  # below: the first line hangs from it
        first = y + FONT_SIZE * 0.8 + 1
    else:
        first = y + FONT_SIZE * 0.35 - (len(lines) - 1) * _LINE_HEIGHT / 2
    return wrapped_label(x, first, axis, lines, visual, text_anchor=anchor)


def _series(
    layout: _Layout, index: int, s: Series, vals: Values, axes: list[str], typeset: Typeset
) -> list[str]:
    shape = stroke(s)
    # the first series (the institution) is the one to see; the others stay faint
    shape.update({"fill": s.colour, "fill-opacity": 0.12 if index == 0 else 0.06})
    parts = [el("polygon", {"points": layout.points(vals), **shape})]
    for i, v in enumerate(vals):
        if v is not None:  # no marker tells "no score" from a score of 0
            parts.append(marker(*layout.point(i, v), s, axes[i], v, typeset))
    return parts


def radar_chart(
    *,
    axes: list[str],
    series: list[Series],
    title: str,
    description: str,
    id_prefix: str,
    size: int = 380,
    rtl: bool = False,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
    typeset: Typeset = PLAIN,
) -> str:
    """A spider chart: one spoke per axis (0 at the centre, 100 on the outer ring).

    The first axis is at the top; the others follow clockwise, or counter-clockwise
    when ``rtl`` so that they read right to left. Grid rings are drawn at 25, 50, 75
    and 100 and labelled between the last axis and the first. Each series is a polygon with a round
    marker on every vertex; a ``None`` value is drawn at 0 (the centre) so that the
    polygon stays closed, but has no marker, which is how a reader tells "no score"
    from a score of 0. Axis labels wrap onto two lines and are truncated with "…"
    past ``max_label_chars``. ``size`` is the width; the height follows from the
    labels and the legend.
    """
    check_common(id_prefix, max_label_chars)
    if not axes:
        raise ValueError("a radar chart needs at least one axis")
    values = check_series(series, len(axes), "axis")
    layout = _layout(axes, size, rtl, max_label_chars)
    labels = [_axis_label(layout, i, axis, for_weasyprint) for i, axis in enumerate(axes)]
    drawn = [
        group(f"{id_prefix}-series-{index}", _series(layout, index, s, vals, axes, typeset))
        for index, (s, vals) in enumerate(zip(series, values, strict=True))
    ]
    plot_bottom = layout.cy + layout.radius + layout.vertical_room
    keys = series_keys(series)
    legend_markup, legend_height = legend(
        keys,
        width=size,
        top=plot_bottom + 4,
        rtl=rtl,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    height = plot_bottom + (legend_height + 4 if legend_markup else 0) + PAD
    body = (
        group(f"{id_prefix}-grid", _grid(layout))
        + group(f"{id_prefix}-labels", labels)
        + "".join(drawn)
        + legend_markup
    )
    return document(
        width=size,
        height=math.ceil(height),
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body,
        fonts=typeset.fonts,
    )
