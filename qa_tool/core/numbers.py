"""The one rounding rule: exact fractions until shown, then half away from zero.

Pure Python (no Django): scoring, statistics, priorities, charts, stored summaries and
every exporter round through here, so a score never reads 66.6 in one place and 66.7 in
another.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def rounded_units(value: Fraction | Decimal | int, places: int) -> int:
    """``value`` in units of ``10**-places``, rounded half away from zero: the integer
    behind ``rounded``, for callers that divide it themselves (the spreadsheet cells)."""
    exact = value if isinstance(value, Fraction) else Fraction(value)
    # Integer division first: a 28-digit context cannot lose the digit that decides the tie.
    # On the numerator and denominator as they are (the exports round thousands of scores
    # per file): scaling does not change where the tie falls.
    numerator, denominator = exact.numerator, exact.denominator
    scale: int = 10**places
    whole, remainder = divmod(abs(numerator) * scale, denominator)
    if 2 * remainder >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def rounded(value: Fraction | Decimal | int, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half away from zero (Decimal's ROUND_HALF_UP)."""
    return Decimal(rounded_units(value, places)).scaleb(-places)


def display(value: Fraction | Decimal | int | None, places: int = 1) -> Decimal | None:
    """A number as shown: ``places`` decimals, half away from zero; None stays None."""
    return None if value is None else rounded(value, places)


def display_float(value: Fraction | Decimal | int | None, places: int = 1) -> float | None:
    """The shown number as a float, for JSON and spreadsheet cells."""
    shown = display(value, places)
    return None if shown is None else float(shown)
