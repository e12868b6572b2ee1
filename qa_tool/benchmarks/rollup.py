"""Roll-up of programme and course reviews to the institution: pure Python, no Django.

The input is one ``UnitResult`` per reviewed unit (read from stored score summaries by
``rollup_selectors``); the output holds exact fractions, rounded only when shown.

* ``units``: units reviewed (their assessment submitted or validated; drafts never count);
* ``passed`` and ``pass_rate`` (percent of the units reviewed; None without a pass rule);
* ``score``: mean, median, minimum and maximum of the units' overall scores;
* per criterion: how many units rated it (N/A and unanswered are left out), how many at
  the top level of the scale (``top_rate`` = at_top / rated, percent), how many below the
  pass rule's critical minimum (critical criteria only) and the mean level as a percent
  (the scoring contract's ``level_percent``, so the rubric's ``normalise`` rule applies;
  None on a profile rubric, ``overall: none``, which has no percentages);
* ``weakest``: the five criteria with the lowest mean level across units (ties: more
  critical failures first, then rubric order);
* the same per programme; a course in two programmes counts in both, and courses in no
  programme are grouped under ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from rubrics.scoring import RubricSpec

from .statistics import Summary, summarise

WEAKEST = 5

#: The roll-up figure compared between institutions beside the median unit score (peer
#: groups' only "domain" of a programme or course rubric).
PASS_RATE = "pass_rate"  # noqa: S105 - a figure's key, not a secret


@dataclass(frozen=True)
class CriterionLevel:
    code: str
    value: Fraction | None  # None: N/A or unanswered (not rated)
    at_top: bool = False
    below_critical: bool = False


@dataclass(frozen=True)
class UnitResult:
    unit_code: str
    programmes: tuple[str | None, ...]  # the unit's programme codes; (None,) for none
    overall: Fraction | None
    passed: bool | None
    criteria: tuple[CriterionLevel, ...] = ()


@dataclass(frozen=True)
class CriterionFigures:
    code: str
    rated: int
    at_top: int
    below_critical: int
    mean_level: Fraction | None  # percent, as the contract reads a level
    critical: bool = False

    @property
    def top_rate(self) -> Fraction | None:
        return share(self.at_top, self.rated)

    @property
    def below_critical_rate(self) -> Fraction | None:
        """None for a criterion that is not critical (or without a pass rule)."""
        return share(self.below_critical, self.rated) if self.critical else None


@dataclass(frozen=True)
class Rollup:
    units: int
    passed: int
    has_pass_rule: bool
    score: Summary
    criteria: tuple[CriterionFigures, ...]
    weakest: tuple[CriterionFigures, ...]
    programmes: tuple[ProgrammeRollup, ...] = field(default=())

    @property
    def pass_rate(self) -> Fraction | None:
        return share(self.passed, self.units) if self.has_pass_rule else None


@dataclass(frozen=True)
class ProgrammeRollup:
    code: str | None
    figures: Rollup


def share(part: int, whole: int) -> Fraction | None:
    """``part`` of ``whole`` as a percent; None when ``whole`` is 0."""
    return Fraction(part * 100, whole) if whole else None


def criterion_figures(
    results: Sequence[UnitResult],
    codes: Sequence[str],
    spec: RubricSpec,
    critical: frozenset[str] = frozenset(),
) -> tuple[CriterionFigures, ...]:
    rated: dict[str, list[Fraction]] = {code: [] for code in codes}
    at_top = dict.fromkeys(codes, 0)
    below = dict.fromkeys(codes, 0)
    for result in results:
        for level in result.criteria:
            if level.code not in rated or level.value is None:
                continue
            rated[level.code].append(level.value)
            at_top[level.code] += level.at_top
            below[level.code] += level.below_critical
    return tuple(
        CriterionFigures(
            code=code,
            rated=len(rated[code]),
            at_top=at_top[code],
            below_critical=below[code],
            # The percent of the mean level is the mean of the levels' percents (linear).
            mean_level=spec.level_percent(sum(rated[code], Fraction(0)) / len(rated[code]))
            if rated[code] and spec.has_score
            else None,
            critical=code in critical,
        )
        for code in codes
    )


def weakest(
    criteria: Iterable[CriterionFigures], count: int = WEAKEST
) -> tuple[CriterionFigures, ...]:
    """The ``count`` criteria with the lowest mean level (rated ones only)."""
    ordered = [c for c in criteria if c.mean_level is not None]
    positions = {c.code: i for i, c in enumerate(ordered)}
    ordered.sort(key=lambda c: (c.mean_level, -c.below_critical, positions[c.code]))
    return tuple(ordered[:count])


def rollup(
    results: Sequence[UnitResult],
    *,
    codes: Sequence[str],
    spec: RubricSpec,
    has_pass_rule: bool,
    critical: frozenset[str] = frozenset(),
    by_programme: bool = True,
) -> Rollup:
    """The institution's figures over the reviewed units' results (see the module).
    ``critical``: the critical criteria's codes (counted below the critical minimum only
    with a pass rule)."""
    critical = critical if has_pass_rule else frozenset()
    criteria = criterion_figures(results, codes, spec, critical)
    programmes: tuple[ProgrammeRollup, ...] = ()
    if by_programme:
        groups: dict[str | None, list[UnitResult]] = {}
        for result in results:
            for code in result.programmes or (None,):
                groups.setdefault(code, []).append(result)
        # Named programmes in code order, then the courses in none.
        keys = sorted(k for k in groups if k is not None) + ([None] if None in groups else [])
        programmes = tuple(
            ProgrammeRollup(
                code=key,
                figures=rollup(
                    groups[key],
                    codes=codes,
                    spec=spec,
                    has_pass_rule=has_pass_rule,
                    critical=critical,
                    by_programme=False,
                ),
            )
            for key in keys
        )
    return Rollup(
        units=len(results),
        passed=sum(1 for r in results if r.passed),
        has_pass_rule=has_pass_rule,
        score=summarise(r.overall for r in results if r.overall is not None),
        criteria=criteria,
        weakest=weakest(criteria),
        programmes=programmes,
    )
