"""State changes of assessments. Each runs in one transaction and writes the audit trail
through ``qa_tool.assessments.audit``.

Every road by which answers arrive (the web, the portable JSON file, the offline
workbook, the demo data) goes through ``assessment_save_answers`` so that validation,
conflict detection and audit happen once. The modules: ``answers`` (start, save, submit),
``review`` (reviewer's levels, return, validate), ``evidence`` (files), ``status`` (the one
transition function), ``errors``.
"""

from .answers import (
    FIELDS,
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
    check_answers,
    missing_criteria,
    subject_problems,
    submission_problems,
)
from .campaigns import campaign_create, campaign_units
from .carry import CarryOutcome, assessment_carry_over, carry_over_source
from .cycles import cycle_open
from .errors import AnswerConflict, AssessmentError, Conflict
from .evidence import evidence_add, evidence_remove
from .review import ReviewInput, assessment_return, assessment_save_review, assessment_validate

__all__ = [
    "FIELDS",
    "AnswerConflict",
    "AnswerInput",
    "AssessmentError",
    "CarryOutcome",
    "Conflict",
    "ReviewInput",
    "assessment_carry_over",
    "assessment_return",
    "assessment_save_answers",
    "assessment_save_review",
    "assessment_start",
    "assessment_submit",
    "assessment_validate",
    "campaign_create",
    "campaign_units",
    "carry_over_source",
    "check_answers",
    "cycle_open",
    "evidence_add",
    "evidence_remove",
    "missing_criteria",
    "subject_problems",
    "submission_problems",
]
