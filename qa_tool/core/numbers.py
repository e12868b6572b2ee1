"""The one rounding rule: exact fractions until shown, then half away from zero.

Pure Python (no Django): scoring, statistics, priorities, charts, stored summaries and
every exporter round through here, so a score never reads 66.6 in one place and 66.7 in
another.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def rounded(value: Fraction | Decimal | int, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half away from zero (Decimal's ROUND_HALF_UP)."""
    exact = Fraction(value)
    # Integer division first: a 28-digit context cannot lose the digit that decides the tie.
    scaled = exact * 10**places
    whole, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    sign = -1 if scaled < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def display(value: Fraction | Decimal | int | None, places: int = 1) -> Decimal | None:
    """A number as shown: ``places`` decimals, half away from zero; None stays None."""
    return None if value is None else rounded(value, places)


def display_float(value: Fraction | Decimal | int | None, places: int = 1) -> float | None:
    """The shown number as a float, for JSON and spreadsheet cells."""
    shown = display(value, places)
    return None if shown is None else float(shown)
