"""Chart values: checked on the way in, clamped to the scale, shown like the score pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = float | int | Decimal | Fraction


def value(raw: object) -> float | None:
    """A number (int, float, Decimal, Fraction) or None, as a finite float."""
    if raw is None:
        return None
    # bool is an int, but True is a caller's mistake, not a score of 1
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | Fraction):
        raise TypeError(f"not a number: {raw!r}")
    number = float(raw)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {raw!r}")
    return number


def clamp(number: float) -> float:
    return min(100.0, max(0.0, number))


def show(number: Number) -> str:
    """A value for reading: one decimal, half up, as ``rubrics.scoring.display`` does.

    Goes through Decimal because float formatting rounds half to even on the binary
    value (72.25 would show as 72.2 where the score page says 72.3)."""
    if isinstance(number, Fraction):
        exact = Decimal(number.numerator) / Decimal(number.denominator)
    elif isinstance(number, float):
        exact = Decimal(repr(number))
    else:
        exact = Decimal(number)
    text = str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return "0.0" if text == "-0.0" else text


def check_lengths(name: str, items: Sequence[object] | None, expected: int) -> None:
    if items is not None and len(items) != expected:
        raise ValueError(f"{name} has {len(items)} items, expected {expected}")
