"""Descriptive statistics for benchmarking: pure Python, exact arithmetic, no Django.

Every input is turned into a ``Fraction`` first (floats through their shortest
decimal ``repr``, so ``0.1`` means 1/10 and not the binary approximation) and every
result is a ``Fraction``; round only when showing a number.

Two definitions matter and are fixed here:

* ``percentile`` is linear interpolation between closest ranks, the method of
  numpy's default (``method="linear"``), R's type 7 and Excel's PERCENTILE.INC;
* ``percentile_rank`` is the mid-rank definition: the share of the group strictly
  below x plus half the share equal to x.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor

Number = Fraction | Decimal | int | float

HUNDRED = Fraction(100)

__all__ = [
    "Number",
    "Summary",
    "exact",
    "percentile",
    "percentile_rank",
    "summarise",
]


def exact(number: Number) -> Fraction:
    """The exact ``Fraction`` for a number.

    Floats go through ``Decimal(repr(x))`` so that 1.1 means 11/10. Booleans, NaN,
    infinities and anything that is not a Fraction, Decimal, int or float raise
    (``TypeError`` for the wrong type, ``ValueError`` for a non-finite number).
    """
    if isinstance(number, Fraction):
        return number
    if isinstance(number, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(number, int):
        return Fraction(number)
    if isinstance(number, float):
        number = Decimal(repr(number))
    if isinstance(number, Decimal):
        if not number.is_finite():
            raise ValueError(f"not a finite number: {number!r}")
        return Fraction(number)
    raise TypeError(f"not a number: {number!r}")


def _sorted_exact(values: Iterable[Number]) -> list[Fraction]:
    return sorted(exact(value) for value in values)


def _percentile_of_sorted(ordered: list[Fraction], p: Fraction) -> Fraction | None:
    if not ordered:
        return None
    h = (len(ordered) - 1) * p / HUNDRED
    lower = floor(h)
    if lower + 1 >= len(ordered):  # p == 100, or a single value
        return ordered[lower]
    return ordered[lower] + (h - lower) * (ordered[lower + 1] - ordered[lower])


def percentile(values: Iterable[Number], p: Number) -> Fraction | None:
    """The p-th percentile (0 <= p <= 100) of ``values``, exactly.

    Method: linear interpolation between closest ranks (numpy's default, R type 7,
    Excel PERCENTILE.INC). Sort the n values into x[0] <= ... <= x[n-1], let
    h = (n - 1) * p / 100 and return

        x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h])

    so p = 0 is the minimum, p = 100 the maximum and p = 50 the usual median.
    One value is its own every percentile; no values give ``None``. The input
    needs no order. A p outside [0, 100] raises ``ValueError``.
    """
    p = exact(p)
    if not 0 <= p <= HUNDRED:
        raise ValueError(f"percentile must be between 0 and 100, not {p}")
    return _percentile_of_sorted(_sorted_exact(values), p)


@dataclass(frozen=True)
class Summary:
    """Five-number summary plus mean and count; every statistic is ``None`` when n == 0."""

    n: int
    mean: Fraction | None
    median: Fraction | None
    p25: Fraction | None
    p75: Fraction | None
    min: Fraction | None
    max: Fraction | None


def summarise(values: Iterable[Number]) -> Summary:
    """Count, mean, quartiles (``percentile`` method; median = percentile 50), min and max."""
    ordered = _sorted_exact(values)
    n = len(ordered)
    if n == 0:
        return Summary(n=0, mean=None, median=None, p25=None, p75=None, min=None, max=None)
    return Summary(
        n=n,
        mean=sum(ordered, Fraction(0)) / n,
        median=_percentile_of_sorted(ordered, Fraction(50)),
        p25=_percentile_of_sorted(ordered, Fraction(25)),
        p75=_percentile_of_sorted(ordered, Fraction(75)),
        min=ordered[0],
        max=ordered[-1],
    )


def percentile_rank(values: Iterable[Number], x: Number) -> Fraction | None:
    """Where x stands in the group, from 0 to 100 (mid-rank definition).

    percentile_rank = 100 * (count of values < x + count of values == x / 2) / n

    So a value below the whole group ranks 0, above the whole group 100, and a value
    tied with every member 50; x need not be one of the values. ``None`` for an empty
    group.
    """
    x = exact(x)
    group = [exact(value) for value in values]
    if not group:
        return None
    below = sum(1 for value in group if value < x)
    equal = sum(1 for value in group if value == x)
    return HUNDRED * (below + Fraction(equal, 2)) / len(group)
