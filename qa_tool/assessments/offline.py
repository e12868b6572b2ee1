"""Applying a checked offline workbook to its assessment: the one state change of an upload.

Reading and checking the file is the reports' job (``reports.workbook``); what changes
the assessment lives here, beside the wizard's services, so both paths share
``assessment_save_answers``: the audit trail, the revision check and the scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qa_tool.core.refusals import Problem

from .models import Assessment
from .services import (
    AnswerConflict,
    AnswerInput,
    AssessmentError,
    assessment_save_answers,
    assessment_submit,
)


def assessment_apply_workbook(
    *,
    assessment: Assessment,
    answers: Mapping[str, AnswerInput],
    base_revisions: Mapping[str, int],
    actor: Any,
    source: str = "workbook",
    locations: Mapping[str, str] | None = None,
    submit: bool = False,
) -> int:
    """Save a workbook's changed answers all or nothing; return how many criteria changed.

    ``base_revisions`` are the revisions the workbook was exported with: an answer saved
    since then by someone else is a conflict, and nothing is saved. ``locations`` places
    each criterion's conflict at its cell. With ``submit`` the assessment is then submitted
    in the same transaction, through the wizard's ``assessment_submit``: if submitting is
    refused (a criterion unanswered, evidence missing…) the answers are not saved either.
    Raises AssessmentError with every problem.
    """
    if not answers and not submit:
        return 0
    locations = locations or {}
    try:
        with transaction.atomic():
            saved = (
                assessment_save_answers(
                    assessment=assessment,
                    answers=dict(answers),
                    actor=actor,
                    source=source,
                    base_revisions=dict(base_revisions),
                )
                if answers
                else {}
            )
            if submit:
                assessment_submit(assessment=assessment, actor=actor, source=source)
    except AnswerConflict as conflict:
        hint = _("Download the workbook again to see the current answers.")
        raise AssessmentError(
            [
                Problem(f"{problem.what} {hint}", locations.get(c.code, ""))
                for c, problem in zip(conflict.conflicts, conflict.problems, strict=True)
            ]
        ) from None
    return len(saved)
