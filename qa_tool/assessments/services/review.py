"""The reviewer's side: levels and comments per criterion, returning and validating."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem

from ..audit import WEB, Action, audit_event, level_json, record_all
from ..models import Assessment, Response, Status
from .answers import AnswerInput, check_answers, text_problem
from .errors import AssessmentError
from .status import set_status


@dataclass(frozen=True)
class ReviewInput:
    """A reviewer's validated level (value, N/A, or None to keep the self-assessment) and comment."""

    value: Decimal | None = None
    na: bool = False
    comment: str = ""


def assessment_save_review(
    *, assessment: Assessment, reviews: dict[str, ReviewInput], actor: Any, source: str = WEB
) -> int:
    """Record the reviewer's levels and comments; return how many criteria changed."""
    if assessment.status != Status.SUBMITTED:
        raise AssessmentError([_("Only a submitted assessment can be reviewed.")])
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.all()}
    as_answers = {code: AnswerInput(value=r.value, na=r.na) for code, r in reviews.items()}
    problems = check_answers(criteria, set(version.spec.scale), as_answers)
    problems += [
        found
        for code, review in reviews.items()
        if (found := text_problem(_("Comment"), review.comment, bounds.COMMENT_MAX, code))
    ]
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        rows = {
            r.criterion.code: r
            for r in Response.objects.select_for_update()
            .select_related("criterion")
            .filter(assessment=assessment)
        }
        changed_rows, events = [], []
        for code, review in reviews.items():
            row = rows.get(code) or Response(assessment=assessment, criterion=criteria[code])
            changes = _review_changes(row, review)
            if not changes:
                continue
            events += [
                audit_event(
                    Action.REVIEW,
                    assessment=assessment,
                    actor=actor,
                    source=source,
                    criterion=code,
                    field=field,
                    before=old,
                    after=new,
                )
                for field, old, new in changes
            ]
            row.reviewed_value = None if review.na else review.value
            row.reviewed_na = review.na
            row.review_comment = review.comment
            row.reviewed_by = actor if getattr(actor, "pk", None) else None
            changed_rows.append(row)
        for row in changed_rows:
            row.save()
        record_all(events)
    return len(changed_rows)


def _review_changes(row: Response, review: ReviewInput) -> list[tuple[str, Any, Any]]:
    """The review's fields that differ from what is stored, as (field, before, after)."""
    return [
        (field, old, new)
        for field, old, new in (
            (
                "validated level",
                level_json(row.reviewed_value, row.reviewed_na),
                level_json(review.value, review.na),
            ),
            ("review comment", row.review_comment, review.comment),
        )
        if old != new
    ]


def _overall_comment_problems(comment: str) -> list[Problem]:
    found = text_problem(_("Comment to the institution"), comment, bounds.COMMENT_MAX, "")
    return [found] if found is not None else []


def assessment_return(
    *, assessment: Assessment, actor: Any, comment: str, source: str = WEB
) -> None:
    """Send a submitted assessment back to the institution for changes."""
    if not comment.strip():
        raise AssessmentError([_("Say what the institution should change.")])
    _decide(
        assessment,
        Status.RETURNED,
        _("Only a submitted assessment can be returned."),
        actor=actor,
        source=source,
        comment=comment,
    )


def assessment_validate(
    *, assessment: Assessment, actor: Any, comment: str = "", source: str = WEB
) -> None:
    """Validate a submitted assessment: final."""
    _decide(
        assessment,
        Status.VALIDATED,
        _("Only a submitted assessment can be validated."),
        actor=actor,
        source=source,
        comment=comment,
    )


def _decide(
    assessment: Assessment, status: str, refusal: str, *, actor: Any, source: str, comment: str
) -> None:
    """The reviewer's decision on a submitted assessment (row locked; refused otherwise)."""
    if problems := _overall_comment_problems(comment):
        raise AssessmentError(problems)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.SUBMITTED:
            raise AssessmentError([refusal])
        set_status(locked, status, actor=actor, source=source, comment=comment.strip())
    assessment.refresh_from_db()
