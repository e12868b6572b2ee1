"""Assessments looked up for operators on the server (management commands).

Operators are trusted, so these lookups are not scoped to an institution; pages never use
them and go through ``qa_tool.access.get_assessment_for`` instead.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Assessment


def assessment_for_operator(assessment_id: int) -> Assessment:
    """The assessment with its institution, cycle and rubric, or CommandError naming the id."""
    assessment = (
        Assessment.objects.select_related("institution", "cycle", "rubric_version__rubric")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise CommandError(f"no assessment {assessment_id}")
    return assessment
