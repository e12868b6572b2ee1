"""The access helpers: every view reaches an assessment through these.

Reading is scoped by ``Assessment.objects.visible_to``: another institution's
assessment is a 404, so its existence is not revealed. Writing additionally
needs the officer role in the owning institution and an editable status.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from qa_tool.institutions.models import Role

from .models import Assessment


def can_edit(user, assessment: Assessment) -> bool:
    return (
        user.role == Role.OFFICER
        and user.institution_id == assessment.institution_id
        and assessment.is_editable
    )


def get_assessment_for(user, assessment_id: int, *, write: bool = False) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "institution", "cycle", "rubric_version__rubric"
        ),
        pk=assessment_id,
    )
    if write and not can_edit(user, assessment):
        raise PermissionDenied
    return assessment
