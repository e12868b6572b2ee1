"""Panel consensus and agreement: pure Python (no Django), exact levels.

A choice is a level value (a ``Fraction``) or ``NA``. Raters who left a criterion
unanswered are simply absent from its list of choices.

Rules (the rubric's top-level ``consensus`` key, default ``majority``):

* ``majority``: the choice made by most raters; a tie goes to the lower level, and a
  level wins a tie against N/A;
* ``median``: N/A when more than half of the raters chose N/A, else the lower median of
  the chosen level values;
* ``minimum``: the lowest chosen level; N/A only when every rater chose N/A.

Agreement is the share of raters whose choice is the consensus. Krippendorff's alpha
(ordinal) comes from the maintained ``krippendorff`` package; N/A is left out of alpha
(it is not a point on the ordinal scale).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

MAJORITY: Final = "majority"
MEDIAN: Final = "median"
MINIMUM: Final = "minimum"
RULES: Final = (MAJORITY, MEDIAN, MINIMUM)
DEFAULT_RULE: Final = MAJORITY


class _NotApplicable:
    """The N/A choice (one instance)."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"


NA: Final = _NotApplicable()
Choice = Fraction | _NotApplicable


def consensus(choices: Sequence[Choice], rule: str = DEFAULT_RULE) -> Choice | None:
    """The panel's level for one criterion (None when nobody answered it)."""
    if not choices:
        return None
    levels = sorted(c for c in choices if isinstance(c, Fraction))
    na_count = len(choices) - len(levels)
    if rule == MAJORITY:
        counts = Counter(levels)
        best = max(counts.values(), default=0)
        if na_count > best:
            return NA
        return min(level for level, n in counts.items() if n == best)
    if rule == MEDIAN:
        if 2 * na_count > len(choices):
            return NA
        return levels[(len(levels) - 1) // 2]
    if rule == MINIMUM:
        return levels[0] if levels else NA
    raise ValueError(f"unknown consensus rule: {rule!r}")


@dataclass(frozen=True)
class Disagreement:
    """One criterion's panel figures."""

    consensus: Choice | None
    raters: int  # raters who answered it
    at_consensus: int
    lowest: Fraction | None  # spread over the chosen levels (N/A left out)
    highest: Fraction | None
    na_count: int

    @property
    def agreement(self) -> Fraction | None:
        """Share (0..1) of the answering raters whose choice is the consensus."""
        return Fraction(self.at_consensus, self.raters) if self.raters else None

    @property
    def spread(self) -> Fraction:
        if self.lowest is None or self.highest is None:
            return Fraction(0)
        return self.highest - self.lowest


def disagreement(choices: Sequence[Choice], rule: str = DEFAULT_RULE) -> Disagreement:
    agreed = consensus(choices, rule)
    levels = [c for c in choices if isinstance(c, Fraction)]
    return Disagreement(
        consensus=agreed,
        raters=len(choices),
        at_consensus=sum(1 for c in choices if c == agreed or (c is NA and agreed is NA)),
        lowest=min(levels) if levels else None,
        highest=max(levels) if levels else None,
        na_count=len(choices) - len(levels),
    )


def percent_agreement(figures: Sequence[Disagreement]) -> Fraction | None:
    """Overall: raters at the consensus over all ratings given, across criteria."""
    given = sum(f.raters for f in figures)
    if not given:
        return None
    return Fraction(sum(f.at_consensus for f in figures), given)


def ordinal_alpha(
    table: Sequence[Mapping[str, Choice]], codes: Sequence[str], scale: Sequence[Fraction]
) -> float | None:
    """Krippendorff's alpha (ordinal) over raters (rows) by criteria (columns).

    Unanswered and N/A are missing values. None when alpha is undefined: fewer than two
    raters, no criterion rated by two, or no variation at all.
    """
    if len(table) < 2 or not codes:
        return None
    import krippendorff
    import numpy

    position = {level: float(i) for i, level in enumerate(sorted(scale))}
    data = numpy.full((len(table), len(codes)), numpy.nan)
    for r, row in enumerate(table):
        for c, code in enumerate(codes):
            choice = row.get(code)
            if isinstance(choice, Fraction) and choice in position:
                data[r, c] = position[choice]
    pairable = (numpy.sum(~numpy.isnan(data), axis=0) >= 2).sum()
    if not pairable:
        return None
    try:
        with numpy.errstate(all="ignore"):
            value = float(
                krippendorff.alpha(
                    reliability_data=data,
                    level_of_measurement="ordinal",
                    value_domain=sorted(position.values()),
                )
            )
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value
