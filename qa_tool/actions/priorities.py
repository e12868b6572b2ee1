"""Which criteria an action plan proposes to improve, and in which order. Pure: no Django.

Every rated criterion below the top level of the scale gets one proposal; N/A and
unanswered criteria get none. A proposal carries the criterion's current level, a
target level (``target_level``: the next scale value above the current one, or the top
level when the rubric says ``plan_target: top``) and the rubric's recommendation for the
current level (its language map, or None). The recommendation stays the current level's
whatever the target: it says what to do from where the criterion stands, and a rubric
cannot give one for the top level (the importer refuses it).

The order is decided by three keys, in this order:

1. **Tier.** 1 = a critical criterion rated below the critical threshold: it makes
   the assessment fail (the threshold is the pass rule's ``critical_min_value``;
   without a pass rule, the top level, as in ``rubrics.scoring``, so tier 1 is
   exactly the rated criteria of the score's ``failed_critical``); 2 = any other
   critical criterion below the top; 3 = every other criterion.
2. **Gain**, descending. The increase of the overall score, in percentage points and
   as an exact ``Fraction``, if this criterion alone were raised to the top level and
   every other answer stayed as it is: ``score(answers with c = top) - score(answers)``,
   computed for all criteria at once in closed form by ``rubrics.scoring.rated_gains``
   (a property test checks it against scoring twice). It therefore reflects exactly the
   criterion's weight, its gap to the top, its domain's weight and the share of the
   domain among the rated criteria, the rubric's aggregate mode and its ``normalise``
   rule. It is always positive: a rated criterion below the top raises its own ratio,
   hence its domain's weighted mean, hence the overall mean (every weight is > 0).
   A profile rubric (``overall: none``) has no score to raise: its gain is None and
   its proposals keep rubric order within a tier.
3. **Rubric order** (the criterion's position in the rubric).

``rank`` numbers the proposals 1..n in that order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rubrics.scoring import Answer, RubricSpec, canonical_number_text, rated_gains

TIER_FAILS_PASS_RULE = 1
TIER_CRITICAL = 2
TIER_IMPROVEMENT = 3

PLAN_TARGET_NEXT = "next"
PLAN_TARGET_TOP = "top"


@dataclass(frozen=True)
class Proposal:
    code: str
    current_value: Fraction
    target_value: Fraction  # see target_level
    tier: int  # 1, 2 or 3, see the module docstring
    # Percentage points of the overall score if raised to the top level; None on a
    # profile rubric (``overall: none``).
    gain: Fraction | None
    rank: int  # 1..n
    recommendation: Any  # the rubric's recommendation for the current level, or None


def level_key(value: Fraction) -> str:
    """The key of a level in descriptors and recommendations ("0", "1", "2.5")."""
    return canonical_number_text(value)


def critical_threshold(spec: RubricSpec) -> Fraction:
    """The level a critical criterion needs (the same rule as ``rubrics.scoring``)."""
    return spec.pass_rule.critical_min_value if spec.pass_rule else spec.max_value


def target_level(scale: Sequence[Fraction], current: Fraction, plan_target: str) -> Fraction:
    """The level an action for a criterion at ``current`` aims at: the next scale value up,
    or with ``plan_target`` "top" the top of the scale (as OSCQR's "sufficiently present").

    ``current`` is below the top of ``scale`` (sorted ascending)."""
    if plan_target == PLAN_TARGET_TOP:
        return scale[-1]
    return min(v for v in scale if v > current)


def propose_actions(
    spec: RubricSpec,
    answers: Mapping[str, Any],
    *,
    recommendations: Mapping[str, Mapping[str, Any]],
    plan_target: str = PLAN_TARGET_NEXT,
) -> list[Proposal]:
    """Proposals for every rated criterion below the top level, ranked.

    ``answers`` maps criterion codes to an ``Answer``, a level value or "na" (as
    ``rubrics.scoring.score`` takes them); ``recommendations`` maps criterion codes to
    their recommendations, keyed by level (canonical number text); ``plan_target`` is the
    rubric's ``plan_target`` (see ``target_level``).
    """
    top = spec.max_value
    threshold = critical_threshold(spec)
    parsed = {code: Answer.of(raw) for code, raw in answers.items() if raw is not None}
    gains = rated_gains(spec, parsed)
    candidates = []
    for position, criterion in enumerate(spec.criteria()):
        answer = parsed.get(criterion.code)
        if answer is None or answer.na or answer.value is None or answer.value >= top:
            continue
        current = answer.value
        if criterion.critical and current < threshold:
            tier = TIER_FAILS_PASS_RULE
        elif criterion.critical:
            tier = TIER_CRITICAL
        else:
            tier = TIER_IMPROVEMENT
        # Every proposal is a rated criterion: its gain is in the closed form's table.
        rise = gains.get(criterion.code)
        target = target_level(spec.scale, current, plan_target)
        texts = recommendations.get(criterion.code) or {}
        candidates.append(
            (
                (tier, -(rise or 0), position),
                criterion.code,
                current,
                target,
                tier,
                rise,
                texts.get(level_key(current)),
            )
        )
    candidates.sort(key=lambda c: c[0])
    return [
        Proposal(
            code=code,
            current_value=current,
            target_value=target,
            tier=tier,
            gain=rise,
            rank=rank,
            recommendation=recommendation,
        )
        for rank, (_key, code, current, target, tier, rise, recommendation) in enumerate(
            candidates, start=1
        )
    ]


@dataclass(frozen=True)
class EffortTotal:
    """The estimated work of a plan's open actions."""

    hours: Fraction  # the sum of the estimates in hours that were given
    estimated: int  # open actions with an estimate in hours
    actions: int  # open actions


def total_effort(hours: Iterable[Fraction | None]) -> EffortTotal:
    """Total the estimates in hours of a plan's open actions (None: no estimate).

    An action without an estimate adds nothing to the hours and is counted apart, so the
    total never reads as the whole plan's when it is not ("n of m actions have an
    estimate")."""
    given = list(hours)
    known = [h for h in given if h is not None]
    return EffortTotal(hours=sum(known, Fraction(0)), estimated=len(known), actions=len(given))
