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
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from qa_tool.assessments.models import Assessment, Campaign, Status
from qa_tool.core.roles import is_centre
from qa_tool.institutions.models import Institution, unit_scope

__all__ = [
    "can_comment_on_plan",
    "can_confirm_panel",
    "can_edit",
    "can_edit_plan",
    "can_join_panel",
    "can_lead_panel",
    "can_manage_units",
    "can_rate",
    "can_review",
    "can_see_panel_ratings",
    "can_see_rollup",
    "edit_refusal",
    "get_assessment_for",
    "get_campaign_for",
    "get_institution_to_manage",
    "institution_for_rollup",
    "is_editor_of",
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


def is_contributor_for(user: Any, assessment: Assessment) -> bool:
    """A contributor of the institution to whom the assessment's unit is assigned (directly,
    or through the programme of a course)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_contributor
        and user.institution_id == assessment.institution_id
        and assessment.subject_id is not None
        and Assessment.objects.filter(pk=assessment.pk)
        .filter(unit_scope(user, "subject_id"))
        .exists()
    )


def is_editor_of(user: Any, assessment: Assessment) -> bool:
    """Who fills an assessment: the institution's officers, and the contributors of its unit."""
    return is_officer_of(user, assessment) or is_contributor_for(user, assessment)


def edit_refusal(user: Any, assessment: Assessment) -> str | None:
    """Why ``user`` may not change the answers now (None when they may)."""
    if not is_editor_of(user, assessment):
        if assessment.subject_id is None:
            return _("Only a quality officer of the institution may change this assessment.")
        return _(
            "Only a quality officer of the institution, or a contributor assigned to its "
            "unit, may change this assessment."
        )
    if not assessment.is_editable:
        return _("This assessment is %(status)s and can no longer be changed.") % {
            "status": assessment.get_status_display()
        }
    return None


def can_edit(user: Any, assessment: Assessment) -> bool:
    return edit_refusal(user, assessment) is None


def can_edit_plan(user: Any, assessment: Assessment) -> bool:
    """The institution's officers own its action plans, whatever the assessment's status; a
    unit's contributors own the plans of their unit's assessments."""
    return is_editor_of(user, assessment)


def can_comment_on_plan(user: Any) -> bool:
    return is_centre(user)


def can_review(user: Any, assessment: Assessment) -> bool:
    """Reviewers judge a submitted assessment; the review page is read-only otherwise."""
    return is_centre(user) and assessment.status == Status.SUBMITTED


def can_manage_units(user: Any, institution: Institution) -> bool:
    """Officers add and edit their own institution's programmes and courses, assign
    contributors and run review campaigns."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_officer
        and user.institution_id == institution.pk
    )


def can_see_rollup(user: Any, institution: Institution) -> bool:
    """The institution's officers and leaders, and the coordinating centre (reviewers and
    administrators); never a contributor, who sees only their own units."""
    if is_centre(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_officer or user.is_leader)
        and user.institution_id == institution.pk
    )


def institution_for_rollup(user: Any, code: str) -> Institution:
    """The institution whose roll-up ``user`` asks for: 404 when they may not see it."""
    institution = get_object_or_404(Institution.objects.visible_to(user), code=code)
    if not can_see_rollup(user, institution):
        raise Http404
    return institution


def get_campaign_for(user: Any, campaign_id: int, *, manage: bool = False) -> Campaign:
    """A review campaign of an institution ``user`` may see as a whole (officers, leaders,
    the centre), else 404; with ``manage``, 403 unless they are its officers."""
    campaign = get_object_or_404(
        Campaign.objects.filter(
            institution__in=Institution.objects.visible_to(user)
        ).select_related("institution", "cycle", "rubric_version__rubric"),
        pk=campaign_id,
    )
    if not can_see_rollup(user, campaign.institution):
        raise Http404
    if manage and not can_manage_units(user, campaign.institution):
        raise PermissionDenied
    return campaign


# --- review panels ----------------------------------------------------------------------------
# The panel objects are read by attribute (``kind``, ``lead_id``, ``assessment``; a rater's
# ``user_id`` and ``submitted_at``): this module sits below the panels room.

PANEL_SELF, PANEL_EXTERNAL = "self", "external"


def can_lead_panel(user: Any, assessment: Assessment, kind: str) -> bool:
    """Who may set up a panel: an officer of the institution for a self-assessment panel
    (while the answers may change), a reviewer for an external one (once submitted)."""
    if kind == PANEL_SELF:
        return can_edit(user, assessment)
    return is_centre(user) and assessment.status == Status.SUBMITTED


def can_join_panel(user: Any, assessment: Assessment, kind: str) -> bool:
    """Who may rate: people of the institution on a self-assessment panel; reviewers or
    people of another institution (never of the assessed one) on an external panel."""
    if not getattr(user, "is_active", False):
        return False
    if kind == PANEL_SELF:
        return user.institution_id == assessment.institution_id
    return user.institution_id != assessment.institution_id and (
        is_centre(user) or bool(user.institution_id)
    )


def is_panel_lead(user: Any, panel: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and panel.lead_id == user.pk)


def can_see_panel_ratings(user: Any, panel: Any, seat: Any = None) -> bool:
    """Every rater's levels and justifications: the lead and reviewers only, and not while
    they hold a seat on the panel whose levels they have not submitted (``seat``)."""
    if seat is not None and seat.submitted_at is None:
        return False
    return is_panel_lead(user, panel) or is_centre(user)


def can_rate(user: Any, rater: Any) -> bool:
    """A rater changes their own levels until they submit them, while the panel is open."""
    return (
        rater is not None
        and rater.user_id == getattr(user, "pk", None)
        and rater.submitted_at is None
        and panel_is_open(rater.panel)
    )


def panel_is_open(panel: Any) -> bool:
    """Ratings and final levels may change while the panel's target may: the answers
    (self-assessment) or the review (external)."""
    if panel.kind == PANEL_SELF:
        return bool(panel.assessment.is_editable)
    return bool(panel.assessment.status == Status.SUBMITTED)


def can_confirm_panel(user: Any, panel: Any) -> bool:
    return is_panel_lead(user, panel) and panel_is_open(panel)


# --- people and accounts ---------------------------------------------------------------------


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
