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


# Closing punctuation stays at the end of the line before: a line never starts with it
# (the Chinese rule, and the obvious one for "(fr)" or "75 %").
_NO_LINE_START = frozenset("，。、；：！？）」』】》〉”’,.;:!?)]}%…")
# and opening punctuation stays with what follows: a line never ends with it
_NO_LINE_END = frozenset("（「『【《〈“‘([{")


def _wide(char: str) -> bool:
    return _char_units(char) == 2


def _pieces(text: str) -> list[tuple[str, bool]]:
    """The text cut at its break opportunities: each piece, and whether a space came
    before it. Spaces separate words; a wide (CJK) character may be broken before and
    after, except before closing or after opening punctuation."""
    pieces: list[tuple[str, bool]] = []
    current, spaced = "", False
    for char in text:
        if char == " ":
            if current:
                pieces.append((current, spaced))
                current = ""
            spaced = True
            continue
        breakable = char not in _NO_LINE_START and current[-1:] not in _NO_LINE_END
        if current and (_wide(char) or _wide(current[-1])) and breakable:
            pieces.append((current, spaced))
            current, spaced = "", False
        current += char
    if current:
        pieces.append((current, spaced))
    return pieces


def _joined(pieces: list[tuple[str, bool]]) -> str:
    return "".join(
        (" " if spaced and i else "") + piece for i, (piece, spaced) in enumerate(pieces)
    )


def wrap(text: str, line_units: int, max_lines: int) -> list[str]:
    """Greedy wrap to at most ``max_lines`` lines of ``line_units``: at spaces, and
    anywhere between Chinese characters (never before closing punctuation). A word
    longer than a line (a URL) is split; what does not fit ends the last line with
    an ellipsis. Lines are in logical order: right-to-left ones are reordered line by
    line afterwards, as a renderer does."""
    pieces = _pieces(clean(text))
    lines: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    for piece, spaced in pieces:
        if not current or units(_joined([*current, (piece, spaced)])) <= line_units:
            current.append((piece, spaced))
        else:
            lines.append(current)
            current = [(piece, spaced)]
        if units(_joined(current)) > line_units:
            # one piece longer than a line (a URL): cut it wherever the line is full
            (piece, spaced), cut = current[0], 1
            while units(piece[: cut + 1]) <= line_units:
                cut += 1
            while len(piece) > cut:
                lines.append([(piece[:cut], spaced)])
                piece, spaced = piece[cut:], False
            current = [(piece, spaced)]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = truncate(_joined([p for line in lines[max_lines - 1 :] for p in line]), line_units)
        return [*(_joined(line) for line in lines[: max_lines - 1]), rest]
    return [_joined(line) for line in lines] or [""]
