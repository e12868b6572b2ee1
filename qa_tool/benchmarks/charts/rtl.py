"""Right-to-left text in chart labels: logical for browsers, visual for WeasyPrint.

WeasyPrint (70 and earlier) draws SVG text one code point at a time, left to right,
with neither the bidi algorithm nor shaping (Kozea/WeasyPrint#2909), so Arabic comes
out mirrored and unjoined. For WeasyPrint the charts therefore hand it text that needs
neither: Arabic letters replaced by their contextual presentation forms
(``arabic_reshaper``, lam-alef ligatures included) and each line put in display order
by the Unicode bidi algorithm (``python-bidi``).
"""

from __future__ import annotations

import re
import unicodedata

import arabic_reshaper
from bidi import get_display
from bidi.mirror import MIRRORED

from .text import truncate

RLM = "\u200f"
_ZWJ = "\u200d"

# Harakat (vowel marks) are dropped, not kept: WeasyPrint lays out each code point on
# its own, so a kept mark is drawn as a separate glyph on a dotted circle next to its
# letter instead of above or below it (seen in a WeasyPrint 70 PDF of "مُعَلِّم");
# without them Arabic reads normally, as it is usually written unvowelled.
# Of the ligatures only lam-alef, which Arabic requires: the optional word ligatures
# stay off, "ARABIC LIGATURE ALLAH" above all, as it would also fire inside words such
# as "اللهجة" (the dialect).
_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={
        "delete_harakat": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    }
)

# Directional formatting characters have done their work once the text is in display
# order, and drawn one code point at a time they could only get in the way.
_FORMATTING = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"})
# L1 puts these back on the paragraph level at the end of a line.
_TRAILING = _FORMATTING | {"WS"}
_LEVELS = re.compile(r"^\s*levels: \[(.*?)^\s*\],$", re.DOTALL | re.MULTILINE)
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


def is_rtl(text: str) -> bool:
    """Whether the first strong character is right-to-left (the paragraph direction)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def for_text(text: str, rtl: bool, visual: bool) -> str:
    """Text as it goes into a ``<text>`` element.

    Logical order (the default) for renderers that shape and reorder text, with
    RIGHT-TO-LEFT MARKs around right-to-left labels so that an ellipsis or punctuation
    at either end lands where an Arabic reader expects; with ``visual``, shaped and
    in display order for WeasyPrint (see ``visual_order``).
    """
    if visual:
        return visual_order(text, rtl)
    return f"{RLM}{text}{RLM}" if rtl else text


def label(text: str, max_units: int, visual: bool) -> str:
    """A one-line label: truncated, then as ``for_text`` puts it."""
    return for_text(truncate(text, max_units), is_rtl(text), visual)


def visual_order(text: str, rtl: bool) -> str:
    """One line drawn right by a renderer that neither shapes nor reorders: Arabic in
    presentation forms, characters in left-to-right drawing order, brackets mirrored
    where they sit in right-to-left runs. ``rtl`` is the paragraph direction."""
    if not any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text):
        return text  # nothing to shape or reorder: keep Latin and CJK exactly as given
    shaped = _shape(text)
    base = 1 if rtl else 0
    levels = _line_levels(shaped, _resolved_levels(shaped, base), base)
    order = _display_order(levels)
    return "".join(
        MIRRORED.get(shaped[i], shaped[i]) if levels[i] % 2 else shaped[i]
        for i in order
        if unicodedata.bidirectional(shaped[i]) not in _FORMATTING
    )


def _shape(text: str) -> str:
    """Arabic letters as their contextual presentation forms, still in logical order."""
    # NFC: the reshaper knows precomposed letters (alef with hamza), not base plus mark.
    # Lone surrogates cannot reach the Rust side, and XML drops them anyway.
    text = "".join(c for c in unicodedata.normalize("NFC", text) if not "\ud800" <= c <= "\udfff")
    try:
        return str(_RESHAPER.reshape(text))
    except IndexError:
        # arabic-reshaper 3.1 loses count when a ZERO WIDTH JOINER comes before a
        # lam-alef ligature; without the joiner the letters still join as usual.
        return str(_RESHAPER.reshape(text.replace(_ZWJ, "")))


def _resolved_levels(text: str, base: int) -> list[int]:
    """The embedding level of each character, as python-bidi resolves it.

    Its ``get_display`` reorders (L2) but, since it wraps the Rust unicode-bidi crate
    (0.5), no longer mirrors (L4, python-bidi#25), and the levels that mirroring needs
    are only reachable through its debug output, one level per UTF-8 byte.
    """
    debug = str(get_display(text, base_dir="R" if base else "L", debug=True))
    found = _LEVELS.search(debug)
    byte_levels = [int(level) for level in _LEVEL.findall(found.group(1))] if found else []
    if len(byte_levels) != len(text.encode()):
        raise RuntimeError("python-bidi's debug output has changed: no levels to mirror by")
    levels = []
    offset = 0
    for char in text:
        levels.append(byte_levels[offset])
        offset += len(char.encode())
    return levels


def _line_levels(text: str, levels: list[int], base: int) -> list[int]:
    """Rule L1: separators, and whitespace before them or at the end of the line, go
    back to the paragraph level (``get_display`` does this too, after resolving)."""
    line = list(levels)
    trailing = True
    for i in range(len(text) - 1, -1, -1):
        kind = unicodedata.bidirectional(text[i])
        if kind in ("S", "B"):
            line[i], trailing = base, True
        elif trailing and kind in _TRAILING:
            line[i] = base
        else:
            trailing = False
    return line


def _display_order(levels: list[int]) -> list[int]:
    """Rule L2: the logical indices in drawing order, from the highest level down to the
    lowest odd one, each run at that level or above reversed."""
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min(levels) | 1
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return order
