"""Chart values: checked on the way in, clamped to the scale, shown like the score pages."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

from qa_tool.core.numbers import display

from .style import plain_number

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


def show(number: Number, write: Callable[[Decimal], str] = plain_number) -> str:
    """A value for reading: one decimal, half away from zero (``qa_tool.core.numbers``, the
    rule of every score page), written by ``write`` (the report's locale format).

    A float goes through its shortest repr, not its binary value: 72.25 shows as 72.3
    as on the score page."""
    exact = Decimal(repr(number)) if isinstance(number, float) else number
    shown = display(exact, 1)
    assert shown is not None  # a number in, a number out
    return write(shown)


def check_lengths(name: str, items: Sequence[object] | None, expected: int) -> None:
    if items is not None and len(items) != expected:
        raise ValueError(f"{name} has {len(items)} items, expected {expected}")
