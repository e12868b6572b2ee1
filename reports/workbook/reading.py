"""Reading an uploaded workbook: every cell checked, every problem located, nothing applied.

The file is checked as a container first (``container``), then the identity sheet
(``identity``), then each row: criterion codes where they were exported, levels by
label in any language or by value, text lengths, evidence links, and formulas (only
their saved result counts). Rows the officer did not touch (same fingerprint as
exported) are left out, so they never overwrite a colleague's online change. In a blank
workbook an empty cell means "keep the current answer": the officer never saw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.workbook.workbook import Workbook

from qa_tool.assessments.evidence import invalid_links
from qa_tool.assessments.models import Assessment, Response
from qa_tool.assessments.selectors import responses_by_code
from qa_tool.assessments.services import AnswerInput
from qa_tool.core.refusals import Problem
from rubrics.i18n import RUBRIC_LANGUAGES, localize
from rubrics.models import Criterion, RubricVersion
from rubrics.scoring import canonical_number_text

from .container import container_problems, load, max_upload_bytes, sheet_rows, strings_problems
from .identity import Identity, as_int, identity_problems, read_identity, resolve_assessment
from .layout import (
    ANSWERS,
    COL_CODE,
    COL_JUSTIFICATION,
    COL_LEVEL,
    COL_LINKS,
    FIRST_ROW,
    FORMAT_VERSION,
    IDENTITY,
    MAX_EXTRA_ROWS,
    MAX_JUSTIFICATION,
    MAX_LINKS,
    MAX_PROBLEMS,
    NA_KEY,
    NA_TOKENS,
    READ_COLUMNS,
    CellProblem,
    WorkbookError,
    cell_ref,
    cell_text,
    fingerprint,
    level_key,
    na_label,
    normalized,
    sanitize,
)


@dataclass
class WorkbookAnswers:
    """A checked workbook: the answers it changes, ready for ``assessment_save_answers``."""

    assessment: Assessment
    answers: dict[str, AnswerInput]
    base_revisions: dict[str, int]
    language: str
    prefilled: bool
    rows: dict[str, int] = field(default_factory=dict)  # criterion code -> Answers row
    sheet: str = ANSWERS  # the Answers sheet's name in this workbook

    def locations(self) -> dict[str, str]:
        """Each changed criterion's code cell, where a conflict on it is reported."""
        return {code: cell_ref(self.sheet, COL_CODE, row) for code, row in self.rows.items()}


def read_workbook(
    *, data: bytes, user: Any, max_bytes: int | None = None, assessment_id: int | None = None
) -> WorkbookAnswers:
    """Check an uploaded workbook completely; raise WorkbookError with every problem.

    ``assessment_id``, when given, is the assessment the upload is meant for (the
    upload page's); otherwise the workbook's own assessment is used. Either way
    ``user`` must be allowed to change it.
    """
    problems = container_problems(data, max_upload_bytes() if max_bytes is None else max_bytes)
    problems = problems or strings_problems(data)
    if problems:
        raise WorkbookError(problems)
    wb = load(data)
    try:
        # Read a second time with formulas: the values alone cannot tell a formula
        # without a saved result from an empty cell.
        with_formulas = load(data, data_only=False)
    except WorkbookError:
        wb.close()
        raise
    try:
        return _read(wb, with_formulas, user, assessment_id)
    finally:
        wb.close()
        with_formulas.close()


def _read(
    wb: Workbook, with_formulas: Workbook, user: Any, expected_id: int | None
) -> WorkbookAnswers:
    identity = read_identity(wb)
    if identity is None:
        # The sheet name is part of this message's translations, so it stays in "what".
        raise WorkbookError(
            [
                _(
                    "%(sheet)s: this workbook was not downloaded from this application, or its "
                    "hidden sheet was removed. Download the workbook again."
                )
                % {"sheet": IDENTITY}
            ]
        )
    # Problems are told in the workbook's language: the officer reads them beside it.
    with translation.override(identity.language):
        return _read_checked(wb, with_formulas, identity, user, expected_id)


def _checked_identity(
    wb: Workbook, identity: Identity, user: Any, expected_id: int | None
) -> tuple[Assessment, list[Problem]]:
    """The identity's assessment, or WorkbookError when nothing else can be checked."""
    if as_int(identity.text("format_version")) != FORMAT_VERSION:
        message = _("this workbook's format is not supported. Download the workbook again.")
        raise WorkbookError([identity.problem("format_version", message)])
    assessment, problems = resolve_assessment(identity, user, expected_id)
    if assessment is None:
        raise WorkbookError(problems)
    problems, other_rubric = identity_problems(identity, assessment)
    if other_rubric:
        raise WorkbookError(problems)
    sheet = identity.sheet("answers")
    if sheet not in wb.sheetnames:
        raise WorkbookError([*problems, Problem(_("this sheet is missing."), sheet)])
    return assessment, problems


def _read_checked(
    wb: Workbook, with_formulas: Workbook, identity: Identity, user: Any, expected_id: int | None
) -> WorkbookAnswers:
    assessment, problems = _checked_identity(wb, identity, user, expected_id)
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.order_by("position")}
    levels = _Levels(version, identity.language)
    expected_at = {row: code for code, (row, _rev, _fp) in identity.criteria.items() if row}
    sheet = identity.sheet("answers")

    last_row = len(criteria) + MAX_EXTRA_ROWS + 1
    formulas = _formula_cells(with_formulas, sheet, last_row)
    rows, row_problems = _read_rows(wb, sheet, len(criteria), formulas)
    problems.extend(row_problems)
    code_problems, valid_rows = _check_codes(sheet, rows, criteria, expected_at, identity)
    problems.extend(code_problems)
    parsed: dict[str, tuple[_Row, str]] = {}
    for row in valid_rows:
        problems.extend(_check_row(sheet, row, criteria[row.code], levels, parsed))
    if problems:
        raise WorkbookError(_first_problems(problems))
    prefilled = identity.text("prefilled") != "0"
    answers, base_revisions, where = _changed_answers(assessment, identity, parsed, prefilled)
    return WorkbookAnswers(
        assessment=assessment,
        answers=answers,
        base_revisions=base_revisions,
        language=identity.language,
        prefilled=prefilled,
        rows=where,
        sheet=sheet,
    )


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    """Sheet problems first, then cell by cell in reading order."""
    if isinstance(problem, CellProblem):
        return (1, problem.row, problem.column)
    return (0, 0, 0)


def _first_problems(problems: list[Problem]) -> list[Problem]:
    problems = sorted(problems, key=_problem_order)
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        Problem(_("… and %(count)s more problems.") % {"count": more}),
    ]


def _changed_answers(
    assessment: Assessment,
    identity: Identity,
    parsed: dict[str, tuple[_Row, str]],
    prefilled: bool,
) -> tuple[dict[str, AnswerInput], dict[str, int], dict[str, int]]:
    """The answers of the rows changed since export, their base revisions and their rows."""
    current = responses_by_code(assessment)
    answers, base_revisions, where = {}, {}, {}
    for code, (row, key) in parsed.items():
        _row, revision, exported = identity.criteria.get(code, (None, None, ""))
        if exported and exported == fingerprint(key, row.justification, row.links):
            continue  # untouched since export
        answers[code] = _answer(row, key, current.get(code), prefilled)
        where[code] = row.number
        if revision is not None:
            base_revisions[code] = revision
    return answers, base_revisions, where


# --- levels -----------------------------------------------------------------------------------


class _Levels:
    """Maps what a Level cell may hold back to a level: the label in the workbook's
    language first, then the canonical value, then a label in any other language."""

    def __init__(self, version: RubricVersion, language: str):
        self.values = {canonical_number_text(level["value"]) for level in version.scale}
        self.primary: dict[str, str] = {}
        with translation.override(language):
            self.primary[normalized(na_label())] = NA_KEY
        for level in version.scale:
            self.primary.setdefault(
                normalized(localize(level["label"], language)),
                canonical_number_text(level["value"]),
            )
        others: dict[str, set[str]] = {}
        languages = {code for code, _name in settings.LANGUAGES} | set(RUBRIC_LANGUAGES)
        for other in languages:
            for level in version.scale:
                others.setdefault(normalized(localize(level["label"], other)), set()).add(
                    canonical_number_text(level["value"])
                )
            with translation.override(other):
                others.setdefault(normalized(na_label()), set()).add(NA_KEY)
        # A label that means different levels in two languages is not guessed.
        self.fallback = {text: keys.pop() for text, keys in others.items() if len(keys) == 1}

    def _number(self, text: str) -> str | None:
        if len(text) > 30:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        if not number.is_finite() or abs(number) > 10**9:
            return None
        key = canonical_number_text(number)
        return key if key in self.values else None

    def key(self, value: Any) -> str | None:
        """ "" for empty, "na", a canonical level value, or None when not recognised."""
        if value is None:
            return ""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return self._number(cell_text(value))
        text = normalized(cell_text(value))
        if not text:
            return ""
        if text in self.primary:
            return self.primary[text]
        if text in NA_TOKENS:
            return NA_KEY
        number = self._number(text)
        if number is not None:
            return number
        return self.fallback.get(text)


# --- rows -------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    code: str
    level: Any
    justification: str
    links: str


def _formula_cells(wb: Workbook, sheet: str, max_row: int) -> set[tuple[int, int]]:
    """(row, column) of the read cells that hold a formula, from the sheet read with formulas."""
    found = set()
    for cells in sheet_rows(wb, sheet, min_row=FIRST_ROW, max_row=max_row, max_col=COL_LINKS):
        for cell in cells:
            if cell.data_type == "f" and cell.column in READ_COLUMNS:
                found.add((cell.row, cell.column))
    return found


def _formula_problem(sheet: str, column: int, row: int, cached: Any) -> Problem | None:
    """Why a formula cell's saved result cannot be used, or None to use it.

    The workbook is read for values (data_only), so a formula cell reads as the
    result Excel or LibreOffice saved with it, which is what the officer saw: that
    result is used like a typed value. Without a saved result (a file written by a
    program that does not calculate) the cell would read as empty and silently
    clear or keep the answer, so it is refused, as is a result that is an error.
    An empty text result cannot be told from no result and is refused too.
    """
    if cached is None or cached == "":
        message = _("this cell holds a formula whose result was not saved; type the value instead.")
        return CellProblem(message, sheet, column, row)
    if isinstance(cached, str) and cached in ERROR_CODES:
        message = _("this cell's formula gives an error (%(error)s); type the value instead.") % {
            "error": cached
        }
        return CellProblem(message, sheet, column, row)
    return None


def _read_rows(
    wb: Workbook, sheet: str, expected_rows: int, formulas: set[tuple[int, int]]
) -> tuple[list[_Row], list[Problem]]:
    rows: list[_Row] = []
    problems: list[Problem] = []
    limit = expected_rows + MAX_EXTRA_ROWS
    # One row past the limit is enough to tell that the sheet has too many.
    read = sheet_rows(
        wb, sheet, min_row=FIRST_ROW, max_row=limit + 1, max_col=COL_LINKS, values_only=True
    )
    for number, values in enumerate(read, start=FIRST_ROW):
        values = (*values, *([None] * COL_LINKS))[:COL_LINKS]
        row = _Row(
            number=number,
            code=cell_text(values[COL_CODE - 1]).strip(),
            level=values[COL_LEVEL - 1],
            justification=cell_text(values[COL_JUSTIFICATION - 1]),
            links=cell_text(values[COL_LINKS - 1]),
        )
        formula_problems = [
            problem
            for column in READ_COLUMNS
            if (number, column) in formulas
            and (problem := _formula_problem(sheet, column, number, values[column - 1]))
        ]
        empty = not (row.code or cell_text(row.level).strip() or row.justification or row.links)
        if empty and not formula_problems:
            if number > limit:
                break
            continue
        if number > limit:
            # The sheet name is part of this message's translations, so it stays in "what".
            problems.append(
                Problem(
                    _(
                        "%(sheet)s: more rows than the rubric has criteria; rows after %(row)s are ignored."
                    )
                    % {"sheet": sheet, "row": limit}
                )
            )
            break
        problems.extend(formula_problems)
        rows.append(row)
    return rows, problems


# --- checks -----------------------------------------------------------------------------------


def _code_problem(
    row: _Row, expected: str | None, criteria: dict[str, Criterion], original: dict[str, int]
) -> str | None:
    """Why a row's criterion code is wrong, or None when it is the one exported there."""
    this_row = (
        " " + _("This row is for %(expected)s.") % {"expected": expected}
        if expected and expected != row.code
        else ""
    )
    if not row.code:
        if expected:
            return _("the criterion code %(expected)s was removed.") % {"expected": expected}
        return _("a row without a criterion code.")
    if row.code not in criteria:
        message = _('"%(code)s" is not a criterion code of this rubric.') % {"code": row.code}
        return message + this_row
    if original[row.code] != row.number:
        message = _("criterion %(code)s appears more than once (also in row %(row)s).") % {
            "code": row.code,
            "row": original[row.code],
        }
        return message + this_row
    if expected and expected != row.code:
        return _("the criterion code was changed from %(expected)s to %(code)s.") % {
            "expected": expected,
            "code": row.code,
        }
    return None


def _check_codes(
    sheet: str,
    rows: list[_Row],
    criteria: dict[str, Criterion],
    expected_at: dict[int, str],
    identity: Identity,
) -> tuple[list[Problem], list[_Row]]:
    """Every row's criterion code must be the one exported there, once each, none missing."""
    occurrences: dict[str, list[int]] = {}
    for row in rows:
        if row.code:
            occurrences.setdefault(row.code, []).append(row.number)
    # Of repeated codes, the row exported with that code (else the first) is the original.
    original = {
        code: next((n for n in numbers if expected_at.get(n) == code), numbers[0])
        for code, numbers in occurrences.items()
    }
    problems: list[Problem] = []
    valid: list[_Row] = []
    reported_rows = set()
    for row in rows:
        message = _code_problem(row, expected_at.get(row.number), criteria, original)
        if message is None:
            valid.append(row)
            continue
        problems.append(CellProblem(message, sheet, COL_CODE, row.number))
        reported_rows.add(row.number)
    for code in criteria:
        if code in occurrences:
            continue
        row_number = identity.criteria.get(code, (None, None, ""))[0]
        if row_number in reported_rows:
            continue  # already reported on that row
        message = _("criterion %(code)s is missing.") % {"code": code}
        problems.append(
            CellProblem(message, sheet, COL_CODE, row_number)
            if row_number
            else Problem(message, sheet)
        )
    return problems, valid


def _check_row(
    sheet: str,
    row: _Row,
    criterion: Criterion,
    levels: _Levels,
    parsed: dict[str, tuple[_Row, str]],
) -> list[Problem]:
    problems: list[Problem] = []
    key = levels.key(row.level)
    if key is None:
        message = _('"%(value)s" is not a level of this rubric.') % {"value": cell_text(row.level)}
        problems.append(CellProblem(message, sheet, COL_LEVEL, row.number))
    elif key == NA_KEY and not criterion.allow_na:
        message = _("N/A is not allowed for criterion %(code)s.") % {"code": criterion.code}
        problems.append(CellProblem(message, sheet, COL_LEVEL, row.number))
    if len(row.justification) > MAX_JUSTIFICATION:
        message = _("the justification is longer than %(max)s characters.") % {
            "max": MAX_JUSTIFICATION
        }
        problems.append(CellProblem(message, sheet, COL_JUSTIFICATION, row.number))
    if len(row.links) > MAX_LINKS:
        message = _("the evidence links are longer than %(max)s characters.") % {"max": MAX_LINKS}
        problems.append(CellProblem(message, sheet, COL_LINKS, row.number))
    elif bad := invalid_links(row.links):
        message = _("not a web address (http or https): %(links)s") % {"links": ", ".join(bad)}
        problems.append(CellProblem(message, sheet, COL_LINKS, row.number))
    if not problems and key is not None:
        parsed[criterion.code] = (row, key)
    return problems


def _answer(row: _Row, key: str, current: Response | None, prefilled: bool) -> AnswerInput:
    current_justification = current.justification if current else ""
    current_links = current.evidence_links if current else ""
    justification, links = row.justification, row.links
    # A text that only lost what a cell cannot hold (\r, control characters) is unchanged.
    if justification == sanitize(current_justification):
        justification = current_justification
    if links == sanitize(current_links):
        links = current_links
    if not prefilled:
        # A blank workbook never showed the current answer: an empty cell keeps it.
        if key == "":
            key = level_key(current)
        if not row.justification:
            justification = current_justification
        if not row.links:
            links = current_links
    if key == NA_KEY:
        return AnswerInput(na=True, justification=justification, links=links)
    value = Decimal(key) if key else None
    return AnswerInput(value=value, justification=justification, links=links)
