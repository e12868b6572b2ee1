"""The legend under a chart: swatch-and-label entries flowing in rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .rtl import label
from .style import PAD
from .svg import el, group, text
from .text import fit, px, units

ROW_HEIGHT = 18
_SWATCH = 12
_SWATCH_GAP = 5  # between a swatch and its label
_ENTRY_GAP = 16


@dataclass(frozen=True)
class Key:
    label: str
    colour: str
    # the swatch mimics the mark in the chart: a filled area, a dashed line, a tick, a
    # hollow point
    kind: Literal["fill", "dashed", "tick", "hollow"] = "fill"


def _swatch(x: float, y: float, key: Key) -> str:
    if key.kind == "hollow":
        return el(
            "circle",
            {
                "cx": x + 6,
                "cy": y + 6,
                "r": 4,
                "fill": "#ffffff",
                "stroke": key.colour,
                "stroke-width": 2,
            },
        )
    if key.kind == "tick":
        return el("rect", {"x": x + 4.5, "y": y - 1, "width": 3, "height": 14, "fill": key.colour})
    if key.kind == "dashed":
        return el(
            "rect",
            {
                "x": x + 1,
                "y": y + 1,
                "width": 10,
                "height": 10,
                "fill": "#ffffff",
                "stroke": key.colour,
                "stroke-width": 2,
                "stroke-dasharray": "3 2",
            },
        )
    return el("rect", {"x": x, "y": y, "width": _SWATCH, "height": _SWATCH, "fill": key.colour})


def legend(
    keys: Sequence[Key],
    *,
    width: float,
    top: float,
    rtl: bool,
    id_prefix: str,
    visual: bool,
) -> tuple[str, float]:
    """The legend's markup and height (``""`` and 0 without keys). A label may take the
    whole width of a row (a peer group's name is long in French); only a label longer
    than that is cut."""
    if not keys:
        return "", 0.0
    usable = width - 2 * PAD
    max_units = fit(usable - _SWATCH - _SWATCH_GAP)
    parts: list[str] = []
    x, y = 0.0, top
    for key in keys:
        shown = label(key.label, max_units, visual)
        entry = _SWATCH + _SWATCH_GAP + px(units(shown))
        if x > 0 and x + entry > usable:
            x, y = 0.0, y + ROW_HEIGHT
        # x runs from the start edge: the left, or the right when rtl
        swatch_x = width - PAD - x - _SWATCH if rtl else PAD + x
        text_x = swatch_x - _SWATCH_GAP if rtl else swatch_x + _SWATCH + _SWATCH_GAP
        parts.append(_swatch(swatch_x, y, key))
        parts.append(text(text_x, y + 10, shown, text_anchor="end" if rtl else "start"))
        x += entry + _ENTRY_GAP
    return group(f"{id_prefix}-legend", parts), y - top + ROW_HEIGHT
