"""Text fitting without measuring: widths estimated from character counts.

The charts never see a font (the same markup is drawn by browsers and by WeasyPrint,
with whatever Noto fonts they have), so widths are counted in "units": one per narrow
character, two per wide (CJK) one, none for marks and format characters.
"""

from __future__ import annotations

import math

from qa_tool.core.text_width import char_units as _char_units
from qa_tool.core.text_width import units as units

from .style import FONT_SIZE

ELLIPSIS = "\u2026"
CHAR_EM = 0.57  # estimated average advance of one narrow character, in em


def px(width_units: float, font_size: float = FONT_SIZE) -> float:
    return width_units * font_size * CHAR_EM


def fit(width_px: float, font_size: float = FONT_SIZE) -> int:
    """How many narrow characters fit in a width (at least one, so a label never vanishes)."""
    return max(1, math.floor(width_px / (font_size * CHAR_EM)))


def clean(text: str) -> str:
    """Whitespace runs (newlines and tabs included) as single spaces: labels are one line."""
    return " ".join(str(text).split())


def truncate(text: str, max_units: int) -> str:
    """``text`` cut to ``max_units`` (an ellipsis included) when longer."""
    text = clean(text)
    if units(text) <= max_units:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        width = _char_units(char)
        if used + width > max_units - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept).rstrip() + ELLIPSIS


def wrap(text: str, line_units: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``max_lines`` lines; words longer than a line are split;
    what does not fit ends the last line with an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if units(candidate) <= line_units:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # Chinese has no spaces, and a URL may be longer than a line
            if current and units(current + char) > line_units:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        # the rest is longer than a line (or it would not have been split), so it
        # ends with an ellipsis once truncated
        rest = truncate(" ".join(lines[max_lines - 1 :]), line_units)
        lines = [*lines[: max_lines - 1], rest]
    return lines or [""]
