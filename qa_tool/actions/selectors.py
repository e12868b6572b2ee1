"""Reads about action plans, each in a fixed number of queries."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.db.models import Subquery

from qa_tool.assessments.models import Assessment
from rubrics import scoring

from .models import ActionItem


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


def plan_gain(version: Any, item: ActionItem) -> Fraction | None:
    """An action's stored gain as shown: none on a profile rubric (``overall: none``),
    whose plan is ranked without a score."""
    return scoring.exact(item.gain) if version.spec.has_score else None
