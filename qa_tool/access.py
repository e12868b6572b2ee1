"""The one access module: every view asks here who may read, edit answers, edit the plan,
comment, review, and why not.

Reading is scoped by ``Assessment.objects.visible_to`` (itself derived from
``Institution.objects.visible_to``): another institution's assessment is a 404, so its
existence is not revealed. Everything else is a question about a person and an
assessment that the institution may see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from qa_tool.assessments.models import Assessment, Status
from qa_tool.core.roles import is_centre
from qa_tool.institutions.models import Institution

__all__ = [
    "can_comment_on_plan",
    "can_edit",
    "can_edit_plan",
    "can_review",
    "edit_refusal",
    "get_assessment_for",
    "get_institution_to_manage",
    "is_officer_of",
    "may_manage_people",
]


def get_assessment_for(user: Any, assessment_id: int, *, write: bool = False) -> Assessment:
    """The assessment if ``user`` may read it, else 404; with ``write``, 403 unless they may
    also change its answers now."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "institution", "cycle", "rubric_version__rubric"
        ),
        pk=assessment_id,
    )
    if write and not can_edit(user, assessment):
        raise PermissionDenied
    return assessment


def is_officer_of(user: Any, assessment: Assessment) -> bool:
    """A quality officer of the assessed institution."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_officer
        and user.institution_id == assessment.institution_id
    )


def edit_refusal(user: Any, assessment: Assessment) -> str | None:
    """Why ``user`` may not change the answers now (None when they may)."""
    if not is_officer_of(user, assessment):
        return _("Only a quality officer of the institution may change this assessment.")
    if not assessment.is_editable:
        return _("This assessment is %(status)s and can no longer be changed.") % {
            "status": assessment.get_status_display()
        }
    return None


def can_edit(user: Any, assessment: Assessment) -> bool:
    return edit_refusal(user, assessment) is None


def can_edit_plan(user: Any, assessment: Assessment) -> bool:
    """The institution's officers own its action plan, whatever the assessment's status."""
    return is_officer_of(user, assessment)


def can_comment_on_plan(user: Any) -> bool:
    return is_centre(user)


def can_review(user: Any, assessment: Assessment) -> bool:
    """Reviewers judge a submitted assessment; the review page is read-only otherwise."""
    return is_centre(user) and assessment.status == Status.SUBMITTED


def may_manage_people(user: Any, institution: Institution) -> bool:
    """Administrators manage everyone's accounts; an officer those of their own institution."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_administrator) or bool(
        user.is_officer and user.institution_id == institution.pk
    )


def get_institution_to_manage(user: Any, institution_id: int) -> Institution:
    """The institution whose accounts ``user`` manages: another institution is a 404 (its
    existence is not revealed); a reviewer, who may see it but not manage it, gets 403."""
    institution = get_object_or_404(Institution.objects.visible_to(user), pk=institution_id)
    if not may_manage_people(user, institution):
        raise PermissionDenied
    return institution
