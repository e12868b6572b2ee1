"""The look shared by every chart: colours, font, sizes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Colour-blind-safe: blue and orange differ in hue and lightness; the extras are from
# the Okabe-Ito palette.
INSTITUTION = "#1f5fa8"
PEERS = "#e08a00"
IQR_BAND = "#c9ced6"
PALETTE = (INSTITUTION, PEERS, "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
TEXT = "#1f2933"
MUTED = "#5b6573"
GRID = "#d5d9e0"
AXIS = "#8a94a3"

# Noto Sans has no Arabic or Chinese glyphs; naming the script families keeps the
# fallback the same in browsers and in WeasyPrint's fontconfig.
DEFAULT_FONTS = ("Noto Sans", "Noto Naskh Arabic", "Noto Sans CJK SC", "DejaVu Sans")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*\Z")
FONT_SIZE = 11
SMALL_FONT_SIZE = 10

MAX_LABEL_LINES = 3  # a label wraps onto this many lines before it is cut with "…"


def font_family(families: Sequence[str]) -> str:
    """The ``font-family`` attribute: names joined by bare commas, unquoted.

    WeasyPrint (70) splits the SVG attribute on commas and strips quotes but not spaces,
    so ``"A", "B"`` would make it look for a family called ``"B`` and fall back to
    fontconfig's choice (the Japanese face for Chinese). Unquoted names of letters,
    digits, spaces and hyphens are valid CSS for browsers too."""
    for family in families:
        if not _FAMILY.match(family):
            raise ValueError(f"not a plain font family name: {family!r}")
    return ",".join([*families, "sans-serif"])


FONT_FAMILY = font_family(DEFAULT_FONTS)


def plain_number(number: Decimal) -> str:
    return str(number)


@dataclass(frozen=True)
class Typeset:
    """How a chart writes its text: the font families, first choice first (the report's
    language first, so that Chinese takes the Simplified Chinese face), and how a shown
    number (already rounded to one decimal) is written, e.g. ``66,7`` in French."""

    fonts: tuple[str, ...] = DEFAULT_FONTS
    number: Callable[[Decimal], str] = plain_number


NO_SCORE = "\u2014"  # em dash
DEFAULT_MAX_LABEL_CHARS = 28
PAD = 8
GRID_LEVELS = (0, 25, 50, 75, 100)


PLAIN = Typeset()  # the default: all Noto families, "66.7"
