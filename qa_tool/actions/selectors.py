"""Reads about action plans, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Subquery

from qa_tool.assessments.models import Assessment
from rubrics import scoring
from rubrics.models import RubricVersion

from .models import OPEN_STATUSES, ActionItem
from .priorities import EffortTotal, total_effort


def action_plan(assessment: Assessment) -> list[ActionItem]:
    """The plan's actions by rank, with their criterion and last editor (one query)."""
    return list(
        ActionItem.objects.filter(assessment=assessment)
        .select_related("criterion", "updated_by")
        .order_by("rank", "pk")
    )


def previous_assessment_query(assessment: Assessment):
    """The institution's assessment before this one: same rubric slug (any version) and
    subject, the greatest cycle name lower than this one's (names sort as text)."""
    return (
        Assessment.objects.filter(
            institution_id=assessment.institution_id,
            rubric_version__rubric_id=assessment.rubric_version.rubric_id,
            subject_id=assessment.subject_id,
            cycle__name__lt=assessment.cycle.name,
        )
        .order_by("-cycle__name", "-pk")
        .values("pk")[:1]
    )


def previous_actions_by_code(assessment: Assessment) -> dict[str, ActionItem]:
    """The previous assessment's actions keyed by criterion code (one query)."""
    items = (
        ActionItem.objects.filter(assessment_id=Subquery(previous_assessment_query(assessment)))
        .select_related("criterion", "assessment__cycle")
        .order_by("rank", "pk")
    )
    return {item.criterion.code: item for item in items}


def plan_gain(version: RubricVersion, item: ActionItem) -> Fraction | None:
    """An action's stored gain as shown: none on a profile rubric (``overall: none``),
    whose plan is ranked without a score."""
    return scoring.exact(item.gain) if version.spec.has_score else None


@dataclass(frozen=True)
class ActionEffort:
    """The rubric's estimate of the work an action takes: that of the level it aims at."""

    text: dict[str, Any]  # the level's ``effort`` (a language map), {} when none
    hours: Fraction | None  # the level's ``effort_hours``, None when none


def action_effort(version: RubricVersion, current_value: Any) -> ActionEffort:
    """The effort of an action on a criterion rated ``current_value``: that level's
    ``effort`` and ``effort_hours``. A level's estimate is the work to improve a criterion
    that stands at it, as a framework's "minor revision" or "major revision" says (SUNY
    OSCQR); it does not depend on how far the action aims."""
    level = version.scale_level(current_value) or {}
    hours = level.get("effort_hours")
    return ActionEffort(
        text=level.get("effort") or {}, hours=None if hours is None else scoring.exact(hours)
    )


def plan_effort(version: RubricVersion, items: Iterable[ActionItem]) -> EffortTotal:
    """The hours of the plan's open (planned or in progress) actions that have an estimate,
    and how many of them do."""
    return total_effort(
        action_effort(version, item.current_value).hours
        for item in items
        if item.status in OPEN_STATUSES
    )
