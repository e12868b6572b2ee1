"""Pieces the charts share: grid lines, scale numbers, category labels."""

from __future__ import annotations

from .rtl import for_text, is_rtl, label
from .style import AXIS, FONT_SIZE, GRID, MAX_LABEL_LINES, MUTED, SMALL_FONT_SIZE
from .svg import el, group, text, title_el
from .text import clean, truncate, wrap

LINE_HEIGHT = FONT_SIZE + 2


def grid_line(x1: float, y1: float, x2: float, y2: float, *, axis: bool = False) -> str:
    """A line of the grid; ``axis`` (the zero line, the outer ring) is drawn darker
    because values are read from it."""
    colour = AXIS if axis else GRID
    return el("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": colour, "stroke-width": 1})


def scale_number(
    x: float, y: float, level: int, anchor: str, font_size: float = SMALL_FONT_SIZE
) -> str:
    return text(x, y, str(level), font_size=font_size, fill=MUTED, text_anchor=anchor)


def category_label(
    x: float, y: float, raw: str, max_units: int, visual: bool, **attrs: object
) -> str:
    """A one-line label; when truncated, grouped with a ``<title>`` holding the whole
    text, which browsers show on hover and screen readers read."""
    drawn = text(x, y, label(raw, max_units, visual), **attrs)
    if truncate(raw, max_units) != clean(raw):
        return group(None, [title_el(clean(raw)), drawn])
    return drawn


def label_lines(raw: str, line_units: int) -> list[str]:
    """A label wrapped onto at most ``MAX_LABEL_LINES`` lines of ``line_units``."""
    return wrap(raw, line_units, MAX_LABEL_LINES)


def wrapped_label(
    x: float, first: float, raw: str, lines: list[str], visual: bool, **attrs: object
) -> str:
    """A label on several lines, the first baseline at ``first``. Each line is put in
    display order on its own, with the direction of the whole label, as a renderer
    breaking a paragraph would; a label that had to be cut carries its whole text in a
    ``<title>``."""
    rtl_text = is_rtl(raw)
    texts = "".join(
        text(x, first + k * LINE_HEIGHT, for_text(line, rtl_text, visual), **attrs)
        for k, line in enumerate(lines)
    )
    # wrapping only moves spaces; anything else missing means the label was cut
    if "".join(lines).replace(" ", "") != clean(raw).replace(" ", ""):
        texts = title_el(clean(raw)) + texts
    return el("g", {}, texts)
