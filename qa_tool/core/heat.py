"""The heat scale of score tables: one bucket per ten percent, and the colour of each.

Pure Python (no Django). The comparison page colours its cells with the CSS classes
``heat-0`` to ``heat-9`` (site.css holds the same colours), and the Excel export colours
the same cells by conditional formatting from ``heat_bands``: a score has the same colour
on the page and in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

STEP = 10  # percent per bucket
BUCKETS = 10

# Bucket -> background, as in site.css (.heat-0 … .heat-9).
COLOURS = (
    "F6D5D2",
    "F6D5D2",
    "F6D5D2",
    "FBE6C9",
    "FBE6C9",
    "FDF3D0",
    "E9F3D8",
    "D6ECD2",
    "BFE3C3",
    "BFE3C3",
)


def bucket(value: Fraction | Decimal | int | float) -> int:
    """0 (below 10 %) to 9 (90 % and above) for a score on 0-100."""
    return max(0, min(int(Fraction(value) // STEP), BUCKETS - 1))


@dataclass(frozen=True)
class Band:
    """Scores from ``low`` (included) to ``high`` (excluded; None: no upper bound) share
    ``colour``; bounds in percent."""

    low: int | None
    high: int | None
    colour: str


def heat_bands() -> list[Band]:
    """Consecutive buckets of one colour merged: the fewest rules that colour like the page."""
    bands: list[Band] = []
    for index, colour in enumerate(COLOURS):
        low = None if index == 0 else index * STEP
        high = None if index == BUCKETS - 1 else (index + 1) * STEP
        if bands and bands[-1].colour == colour:
            bands[-1] = Band(bands[-1].low, high, colour)
        else:
            bands.append(Band(low, high, colour))
    return bands
