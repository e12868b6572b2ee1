"""Shared by the management commands: operators on the server are trusted, so commands
look assessments up without institution scoping (pages never do)."""

from django.core.management.base import CommandError

from .models import Assessment


def assessment_by_id(assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("institution", "cycle", "rubric_version__rubric")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise CommandError(f"no assessment {assessment_id}")
    return assessment
