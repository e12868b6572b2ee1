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

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

Number = Fraction | Decimal | int | float

HUNDRED = Fraction(100)

__all__ = [
    "Number",
    "SortedValues",
    "Summary",
    "exact",
    "percentile",
    "percentile_rank",
    "summarise",
    "summarise_millionths",
    "summarise_with_rank",
    "summary_from_json",
    "summary_json",
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


# Stored scores have six decimals: as integer millionths they sort and compare in C, about
# twenty times faster than Fractions, and stay exact. Any other value takes the Fraction path.
SCALE = 10**6


@dataclass(frozen=True)
class _Sorted:
    """Values in ascending order, as integers of ``1 / scale`` (scale 1 for Fractions)."""

    values: list[Any]
    scale: int

    def at(self, index: int) -> Fraction:
        return Fraction(self.values[index], self.scale)

    def position(self, x: Fraction) -> tuple[int, int]:
        """How many values are below ``x``, and how many equal it (binary search)."""
        key: Any = x
        if self.scale != 1:
            key = x * self.scale
            if key.denominator == 1:
                key = key.numerator
        below = bisect_left(self.values, key)
        return below, bisect_right(self.values, key) - below


def _sorted_exact(values: Iterable[Number]) -> _Sorted:
    fractions = [exact(value) for value in values]
    if all(SCALE % f.denominator == 0 for f in fractions):
        return _Sorted(sorted(f.numerator * (SCALE // f.denominator) for f in fractions), SCALE)
    return _Sorted(sorted(fractions), 1)


def _percentile_of_sorted(ordered: _Sorted, p: Fraction) -> Fraction | None:
    n = len(ordered.values)
    if not n:
        return None
    h = (n - 1) * p / HUNDRED
    lower = floor(h)
    if lower + 1 >= n:  # p == 100, or a single value
        return ordered.at(lower)
    return ordered.at(lower) + (h - lower) * (ordered.at(lower + 1) - ordered.at(lower))


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


#: A summary's statistics besides n, in the order of ``Summary``.
STATISTICS = ("mean", "median", "p25", "p75", "min", "max")


def summary_json(summary: Summary) -> dict[str, Any]:
    """A summary as JSON: n, and each statistic as an exact fraction string or null."""
    return {
        "n": summary.n,
        **{
            name: None if (value := getattr(summary, name)) is None else str(value)
            for name in STATISTICS
        },
    }


def summary_from_json(data: Mapping[str, Any]) -> Summary:
    """``summary_json`` read back, exactly."""
    return Summary(
        n=data["n"],
        **{name: None if data[name] is None else Fraction(data[name]) for name in STATISTICS},
    )


def summarise(values: Iterable[Number]) -> Summary:
    """Count, mean, quartiles (``percentile`` method; median = percentile 50), min and max."""
    return _summary_of_sorted(_sorted_exact(values))


def summarise_millionths(values: Iterable[int]) -> Summary:
    """``summarise`` of stored scores given as integer millionths (71.296296 as 71296296),
    as a database returns them without a number object per value."""
    return _summary_of_sorted(_Sorted(sorted(values), SCALE))


def _summary_of_sorted(ordered: _Sorted) -> Summary:
    n = len(ordered.values)
    if n == 0:
        return Summary(n=0, mean=None, median=None, p25=None, p75=None, min=None, max=None)
    return Summary(
        n=n,
        mean=Fraction(sum(ordered.values, 0 if ordered.scale != 1 else Fraction(0)))
        / (n * ordered.scale),
        median=_percentile_of_sorted(ordered, Fraction(50)),
        p25=_percentile_of_sorted(ordered, Fraction(25)),
        p75=_percentile_of_sorted(ordered, Fraction(75)),
        min=ordered.at(0),
        max=ordered.at(n - 1),
    )


def summarise_with_rank(
    values: Iterable[Number], x: Number | None
) -> tuple[Summary, Fraction | None]:
    """``summarise(values)`` and ``percentile_rank(values, x)`` from one sort (x may be None)."""
    ordered = _sorted_exact(values)
    summary = _summary_of_sorted(ordered)
    if x is None or not summary.n:
        return summary, None
    below, equal = ordered.position(exact(x))
    return summary, HUNDRED * (below + Fraction(equal, 2)) / summary.n


class SortedValues:
    """Values sorted once, to summarise many times with one value left out each time
    (publishing a release: each institution's groups are the same peers without itself)."""

    def __init__(self, values: Iterable[Number]) -> None:
        self._ordered = _sorted_exact(values)

    def summarise_with_rank(
        self, x: Number | None, *, without: Number | None = None
    ) -> tuple[Summary, Fraction | None]:
        """``summarise_with_rank`` of the values, less one occurrence of ``without``."""
        ordered = self._ordered
        if without is not None:
            below, equal = ordered.position(exact(without))
            if not equal:
                raise ValueError(f"not among the values: {without!r}")
            values = ordered.values
            ordered = _Sorted(values[:below] + values[below + 1 :], ordered.scale)
        summary = _summary_of_sorted(ordered)
        if x is None or not summary.n:
            return summary, None
        below, equal = ordered.position(exact(x))
        return summary, HUNDRED * (below + Fraction(equal, 2)) / summary.n


def percentile_rank(values: Iterable[Number], x: Number) -> Fraction | None:
    """Where x stands in the group, from 0 to 100 (mid-rank definition).

    percentile_rank = 100 * (count of values < x + count of values == x / 2) / n

    So a value below the whole group ranks 0, above the whole group 100, and a value
    tied with every member 50; x need not be one of the values. ``None`` for an empty
    group.
    """
    ordered = _sorted_exact(values)
    if not ordered.values:
        return None
    below, equal = ordered.position(exact(x))
    return HUNDRED * (below + Fraction(equal, 2)) / len(ordered.values)
