"""The hidden identity sheet on upload: which assessment the workbook is for, checked
against the uploader's rights, never trusted (sheet protection is a convenience)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl.workbook.workbook import Workbook

from qa_tool.access import edit_refusal, get_assessment_for
from qa_tool.assessments.models import Assessment
from qa_tool.core.refusals import Problem

from .container import sheet_rows
from .layout import (
    ANSWERS,
    FORMAT,
    IDENTITY,
    LEVELS,
    MAX_EXTRA_ROWS,
    SHEET_FACTS,
    CellProblem,
    cell_text,
    supported_language,
)

# The names workbooks written before sheet names were translated (and recorded) used.
_FIRST_NAMES = {"answers": ANSWERS, "levels": LEVELS}


@dataclass
class Identity:
    facts: dict[str, tuple[str, int]]  # key -> (text, row)
    criteria: dict[str, tuple[int | None, int | None, str]]  # code -> (row, revision, fingerprint)

    def text(self, key: str) -> str:
        return self.facts.get(key, ("", 0))[0].strip()

    def sheet(self, key: str) -> str:
        """The name the workbook gave its ``key`` sheet ("answers", "levels") in its
        language: sheets are found by what the identity records, not by a fixed name."""
        return self.facts.get(SHEET_FACTS[key], ("", 0))[0] or _FIRST_NAMES[key]

    @property
    def language(self) -> str:
        """The workbook's language (supported, else the default): its problems are in it."""
        return supported_language(self.text("language"))

    def problem(self, key: str, what: str) -> Problem:
        """A problem at the cell holding ``key``, or at the sheet when the key is absent."""
        row = self.facts.get(key, ("", 0))[1]
        return CellProblem(what, IDENTITY, 2, row) if row else Problem(what, IDENTITY)


def as_int(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    # str.isdigit() is true of "²" too, which int() refuses: ASCII digits only.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def read_identity(wb: Workbook) -> Identity | None:
    if IDENTITY not in wb.sheetnames:
        return None
    facts: dict[str, tuple[str, int]] = {}
    criteria: dict[str, tuple[int | None, int | None, str]] = {}
    in_table = False
    for row_number, row in enumerate(
        sheet_rows(
            wb, IDENTITY, min_row=1, max_row=MAX_EXTRA_ROWS * 2, max_col=4, values_only=True
        ),
        start=1,
    ):
        cells = [cell_text(v) for v in (*row, None, None, None, None)[:4]]
        key = cells[0].strip()
        if not key:
            continue
        if key == "code" and cells[1].strip() == "row":
            in_table = True
            continue
        if in_table:
            criteria.setdefault(key, (as_int(cells[1]), as_int(cells[2]), cells[3].strip()))
        else:
            facts.setdefault(key, (cells[1], row_number))
    if facts.get("format", ("",))[0].strip() != FORMAT:
        return None
    return Identity(facts=facts, criteria=criteria)


def resolve_assessment(
    identity: Identity, user: Any, expected_id: int | None
) -> tuple[Assessment | None, list[Problem]]:
    """The assessment the workbook names, if ``user`` may change it (and it is the expected one)."""
    assessment_id = as_int(identity.text("assessment"))
    if assessment_id is None:
        return None, [
            identity.problem("assessment", _("the assessment number is missing or changed."))
        ]
    if expected_id is not None and assessment_id != expected_id:
        message = _("this workbook is for assessment %(found)s, not for assessment %(expected)s.")
        return None, [
            identity.problem(
                "assessment", message % {"found": assessment_id, "expected": expected_id}
            )
        ]
    try:
        return get_assessment_for(user, assessment_id, write=True), []
    except Http404:
        message = _("assessment %(id)s does not exist or is not one of your institution's.")
        return None, [identity.problem("assessment", message % {"id": assessment_id})]
    except PermissionDenied:
        message = edit_refusal(user, get_assessment_for(user, assessment_id)) or ""
        return None, [identity.problem("assessment", message)]


def identity_problems(identity: Identity, assessment: Assessment) -> tuple[list[Problem], bool]:
    """Mismatches with the assessment, and whether the rubric version itself differs."""
    version = assessment.rubric_version
    checks = [
        (
            "institution",
            assessment.institution.code,
            _("this workbook is for institution %(found)s, not %(expected)s."),
        ),
        (
            "rubric",
            version.rubric.slug,
            _("this workbook is for rubric %(found)s, not %(expected)s."),
        ),
        (
            "version",
            version.version,
            _("this workbook is for rubric version %(found)s, not %(expected)s."),
        ),
        (
            "cycle",
            assessment.cycle.name,
            _("this workbook is for cycle %(found)s, not %(expected)s."),
        ),
    ]
    problems, other_rubric = [], False
    for key, expected, message in checks:
        found = identity.text(key)
        if found != expected:
            problems.append(
                identity.problem(key, message % {"found": found or "—", "expected": expected})
            )
            other_rubric = other_rubric or key in ("rubric", "version")
    return problems, other_rubric
