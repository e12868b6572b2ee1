"""The offline fill-in workbook: an assessment as an Excel file to fill in and upload back.

``export`` writes it; ``container`` and ``reading`` check an upload completely (the
file, the identity sheet, every cell) and report every problem as a located ``Problem``
("Answers!E6", or a sheet's name); applying the checked answers is the assessments'
``assessment_apply_workbook``, which goes through ``assessment_save_answers`` like the
wizard, with the revisions read at export as the base: a colleague's later online change
to a criterion the workbook changes is a conflict, and nothing is applied.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from qa_tool.assessments.offline import assessment_apply_workbook
from qa_tool.assessments.services import AssessmentError

from .container import check_file_name, max_upload_bytes
from .export import export_workbook
from .layout import CONTENT_TYPE, WorkbookError
from .reading import WorkbookAnswers, read_workbook

__all__ = [
    "CONTENT_TYPE",
    "WorkbookAnswers",
    "WorkbookError",
    "check_file_name",
    "export_workbook",
    "import_workbook",
    "max_upload_bytes",
    "read_workbook",
]


def import_workbook(
    *,
    data: bytes,
    user: Any,
    source: str = "workbook",
    assessment_id: int | None = None,
    max_bytes: int | None = None,
    submit: bool = False,
) -> int:
    """Check and apply a workbook, all or nothing; return how many criteria changed.

    With ``submit`` the assessment is also submitted for review, or nothing is applied."""
    checked = read_workbook(data=data, user=user, max_bytes=max_bytes, assessment_id=assessment_id)
    try:
        # A conflict found while saving is told in the workbook's language too.
        with translation.override(checked.language):
            return assessment_apply_workbook(
                assessment=checked.assessment,
                answers=checked.answers,
                base_revisions=checked.base_revisions,
                locations=checked.locations(),
                actor=user,
                source=source,
                submit=submit,
            )
    except AssessmentError as error:
        raise WorkbookError(error.problems) from None
