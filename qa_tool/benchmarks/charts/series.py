"""Data series as drawn by the radar and trend charts: checked values, strokes, markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .legend import Key
from .style import PLAIN, Typeset
from .svg import check_colour, el, title_el
from .text import clean
from .values import show, value


@dataclass(frozen=True)
class Series:
    """One line or polygon: a label for the legend, one value per axis or cycle.

    ``colour`` is a hex colour (``#1f5fa8``) or a plain colour name; ``dashed`` draws
    the line dashed (use it for a second or comparison series so that the chart also
    reads in grey scale).
    """

    label: str
    values: list[float | None]
    colour: str
    dashed: bool = False


Values = list[float | None]


def check_series(series: Sequence[Series], expected: int, what: str) -> list[Values]:
    """Each series' values as floats, once colours and lengths are checked."""
    checked = []
    for s in series:
        check_colour(s.colour)
        if len(s.values) != expected:
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values, expected one per {what} ({expected})"
            )
        checked.append([value(v) for v in s.values])
    return checked


def series_keys(series: Sequence[Series]) -> list[Key]:
    return [Key(s.label, s.colour, "dashed" if s.dashed else "fill") for s in series]


def stroke(s: Series) -> dict[str, object]:
    return {
        "fill": "none",
        "stroke": s.colour,
        "stroke-width": 2,
        "stroke-linejoin": "round",
        "stroke-linecap": "round",
        "stroke-dasharray": "6 4" if s.dashed else None,
    }


def marker(
    x: float,
    y: float,
    s: Series,
    where: str,
    number: float,
    typeset: Typeset = PLAIN,
    *,
    hollow: str = "",
) -> str:
    """A point of ``s``; its tooltip names the series, the axis or cycle, and the value,
    so that hovering tells exactly what a marker is without the legend. A ``hollow``
    point (white inside, its note added to the tooltip) is one to read with care, such
    as a score no reviewer has validated."""
    tooltip = f"{s.label} · {clean(where)}: {show(number, typeset.number)}"
    if hollow:
        return el(
            "circle",
            {"cx": x, "cy": y, "r": 4, "fill": "#ffffff", "stroke": s.colour, "stroke-width": 2},
            title_el(f"{tooltip} ({clean(hollow)})"),
        )
    return el(
        "circle",
        {"cx": x, "cy": y, "r": 3.5, "fill": s.colour, "stroke": "#ffffff", "stroke-width": 1},
        title_el(tooltip),
    )
