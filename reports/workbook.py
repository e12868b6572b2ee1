"""The offline fill-in workbook: an assessment as an Excel file to fill in and upload back.

One row per criterion on the "Answers" sheet; only the Level (a drop-down of the
rubric's level labels, fed from the hidden "Levels" sheet), Justification and
Evidence links cells are unlocked. The very hidden "Identity" sheet names the
assessment, institution, rubric version, cycle and language, and holds each
criterion's response revision and a fingerprint of what was exported.

Uploading is all or nothing: the file is checked as a container before it is
parsed (size, zip, no macros, uncompressed size and ratio), then every cell is
checked, and every problem is reported as ``Sheet!Cell: reason``. Valid answers go
through ``assessment_save_answers`` like the wizard's, with the revisions read
at export as ``base_revisions``: a colleague's later online change to a
criterion the workbook changes is a conflict, and nothing is applied.

Rows the officer did not touch (same fingerprint as exported) are not sent, so
they never overwrite a colleague's online change. In a blank workbook an empty
cell means "keep the current answer": the officer never saw it.

Protection is convenience only: the identity sheet is checked against the
uploader's rights, never trusted.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
import openpyxl.xml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from qa_tool.access import get_assessment_for
from qa_tool.assessments.evidence import invalid_links
from qa_tool.assessments.models import Assessment, Response
from qa_tool.assessments.selectors import responses_by_code
from qa_tool.assessments.services import (
    AnswerConflict,
    AnswerInput,
    AssessmentError,
    assessment_save_answers,
)
from qa_tool.core.refusals import Refusal
from qa_tool.institutions.models import Role
from rubrics.i18n import RUBRIC_LANGUAGES, localize
from rubrics.models import Criterion, RubricVersion
from rubrics.scoring import canonical_number_text

from .cells import protect

FORMAT = "qa-tool-workbook"
FORMAT_VERSION = 1
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ANSWERS = "Answers"
LEVELS = "Levels"
IDENTITY = "Identity"

# Columns of the Answers sheet (1-based) and their widths.
COL_DOMAIN, COL_CODE, COL_TEXT, COL_GUIDANCE, COL_LEVEL, COL_JUSTIFICATION, COL_LINKS = range(1, 8)
INPUT_COLUMNS = (COL_LEVEL, COL_JUSTIFICATION, COL_LINKS)
WIDTHS = {
    COL_DOMAIN: 24,
    COL_CODE: 10,
    COL_TEXT: 48,
    COL_GUIDANCE: 48,
    COL_LEVEL: 24,
    COL_JUSTIFICATION: 60,
    COL_LINKS: 44,
}
FIRST_ROW = 2  # row 1 is the header

# The same limits as the wizard's fields.
MAX_JUSTIFICATION = 10000
MAX_LINKS = 5000

# Container limits, checked before any XML is parsed.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 500
# Rows beyond the rubric's are read only this far (they can only be errors).
MAX_EXTRA_ROWS = 1000
MAX_PROBLEMS = 200

NA_KEY = "na"
_NA_TOKENS = ("na", "n/a")

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


class WorkbookError(Refusal):
    """A refused workbook, with every problem found; nothing was applied."""


@dataclass
class WorkbookAnswers:
    """A checked workbook: the answers it changes, ready for ``assessment_save_answers``."""

    assessment: Assessment
    answers: dict[str, AnswerInput]
    base_revisions: dict[str, int]
    language: str
    prefilled: bool
    rows: dict[str, int] = field(default_factory=dict)  # criterion code -> Answers row


def max_upload_bytes() -> int:
    return getattr(settings, "WORKBOOK_MAX_BYTES", DEFAULT_MAX_BYTES)


# --- shared helpers ---------------------------------------------------------------------------


def _sanitize(text: str) -> str:
    """What a text becomes once written to a cell and read back."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _fingerprint(level: str, justification: str, links: str) -> str:
    payload = json.dumps([level, justification, links], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _level_key(row: Response | None) -> str:
    if row is None:
        return ""
    if row.is_na:
        return NA_KEY
    if row.value is None:
        return ""
    return canonical_number_text(row.value)


def _language(language: str | None) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _na_label() -> str:
    return _("Not applicable")


def _cell_text(value: Any) -> str:
    """A cell's value as text, exactly as typed where it was text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()


def _ref(sheet: str, column: int, row: int) -> str:
    return f"{sheet}!{get_column_letter(column)}{row}"


# --- export -----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Domain"),
        _("Code"),
        _("Criterion"),
        _("Guidance"),
        _("Level"),
        _("Justification"),
        _("Evidence links (one per line)"),
    ]


def _guidance(criterion: Criterion, version: RubricVersion, language: str) -> str:
    parts = []
    guidance = localize(criterion.guidance, language)
    if guidance:
        parts.append(guidance)
    lines = []
    for level in version.scale:
        descriptor = localize(
            criterion.descriptors.get(canonical_number_text(level["value"])), language
        )
        if descriptor:
            lines.append(f"{localize(level['label'], language)}: {descriptor}")
    if lines:
        parts.append("\n".join(lines))
    return _sanitize("\n\n".join(parts))


def _ranges(rows: list[int], column: int) -> list[str]:
    """Ranges of consecutive rows in one column, e.g. ["E2:E3", "E5"]."""
    letter = get_column_letter(column)
    out, start, prev = [], None, None
    for row in [*sorted(rows), None]:
        if start is not None and (row is None or row != prev + 1):
            out.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
            start = None
        if row is not None and start is None:
            start = row
        prev = row
    return out


def export_workbook(*, assessment: Assessment, prefilled: bool = True, language: str) -> bytes:
    """The fill-in workbook of ``assessment`` in ``language``, blank or with the current answers."""
    language = _language(language)
    with translation.override(language):
        return _export(assessment, prefilled, language)


def _export(assessment: Assessment, prefilled: bool, language: str) -> bytes:
    version = assessment.rubric_version
    criteria = list(version.criteria.select_related("domain").order_by("position"))
    responses = responses_by_code(assessment)
    scale = version.scale
    labels = [_sanitize(localize(level["label"], language)) for level in scale]
    label_of = {
        canonical_number_text(level["value"]): label
        for level, label in zip(scale, labels, strict=True)
    }
    na_label = _sanitize(_na_label())

    wb = openpyxl.Workbook()
    wb.properties.title = _sanitize(f"{assessment.institution.code} {version} {assessment.cycle}")
    wb.properties.creator = "qa-tool"
    ws = wb.active
    ws.title = ANSWERS
    ws.sheet_view.rightToLeft = translation.get_language_bidi()

    for column, header in enumerate(_headers(), start=1):
        cell = ws.cell(row=1, column=column)
        protect(cell, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for column, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"

    identity_rows = []
    na_rows, plain_rows = [], []
    for offset, criterion in enumerate(criteria):
        row = FIRST_ROW + offset
        response = responses.get(criterion.code) if prefilled else None
        level_key = _level_key(response)
        justification = _sanitize(response.justification) if response else ""
        links = _sanitize(response.evidence_links) if response else ""
        level_text = na_label if level_key == NA_KEY else label_of.get(level_key, level_key)
        domain = criterion.domain
        values = {
            COL_DOMAIN: _sanitize(f"{domain.code} {localize(domain.title, language)}".strip()),
            COL_CODE: criterion.code,
            COL_TEXT: _sanitize(localize(criterion.text, language)),
            COL_GUIDANCE: _guidance(criterion, version, language),
            COL_LEVEL: level_text,
            COL_JUSTIFICATION: justification,
            COL_LINKS: links,
        }
        for column, value in values.items():
            cell = ws.cell(row=row, column=column)
            protect(cell, value or None)
            cell.alignment = _WRAP
            if column in INPUT_COLUMNS:
                cell.protection = _UNLOCKED
                cell.fill = _INPUT_FILL
                cell.number_format = "@"  # typed text stays text, never a formula
        (na_rows if criterion.allow_na else plain_rows).append(row)
        revision = responses[criterion.code].revision if criterion.code in responses else 0
        identity_rows.append(
            (criterion.code, row, revision, _fingerprint(level_key, justification, links))
        )

    # The level lists live on a hidden sheet; each validation covers only its rows.
    levels = wb.create_sheet(LEVELS)
    levels.sheet_state = "hidden"
    for index, label in enumerate(labels, start=1):
        protect(levels.cell(row=index, column=1), label)
        protect(levels.cell(row=index, column=2), label)
    protect(levels.cell(row=len(labels) + 1, column=2), na_label)
    levels.protection.sheet = True
    for rows, column, count in ((plain_rows, "A", len(labels)), (na_rows, "B", len(labels) + 1)):
        if not rows:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"{LEVELS}!${column}$1:${column}${count}",
            allow_blank=True,
            showDropDown=False,  # False shows the arrow (the attribute means "hide it")
            showErrorMessage=True,
            errorTitle=_("Level"),
            error=_("Choose a level from the list."),
            showInputMessage=True,
            promptTitle=_("Level"),
            prompt=_("Choose a level from the list."),
        )
        for cells in _ranges(rows, COL_LEVEL):
            validation.add(cells)
        ws.add_data_validation(validation)

    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may still be adjusted
    ws.protection.formatRows = False
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    identity = wb.create_sheet(IDENTITY)
    identity.sheet_state = "veryHidden"
    facts = [
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("assessment", assessment.pk),
        ("institution", assessment.institution.code),
        ("rubric", version.rubric.slug),
        ("version", version.version),
        ("cycle", assessment.cycle.name),
        ("language", language),
        ("prefilled", 1 if prefilled else 0),
        ("exported_at", timezone.now().isoformat(timespec="seconds")),
    ]
    for index, (key, value) in enumerate(facts, start=1):
        identity.cell(row=index, column=1, value=key)
        protect(identity.cell(row=index, column=2), value)
    header_row = len(facts) + 2
    for column, name in enumerate(("code", "row", "revision", "fingerprint"), start=1):
        identity.cell(row=header_row, column=column, value=name)
    for index, (code, row, revision, fingerprint) in enumerate(identity_rows, start=1):
        protect(identity.cell(row=header_row + index, column=1), code)
        identity.cell(row=header_row + index, column=2, value=row)
        identity.cell(row=header_row + index, column=3, value=revision)
        identity.cell(row=header_row + index, column=4, value=fingerprint)
    identity.protection.sheet = True
    # Sheets cannot be renamed, moved, unhidden or deleted without unprotecting first.
    wb.security = WorkbookProtection(lockStructure=True)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- import: the container ----------------------------------------------------------------------


def check_file_name(name: str) -> str | None:
    """The reason a file name is refused, or None for an .xlsx name."""
    if not name.lower().endswith(".xlsx"):
        return _("%(name)s: only Excel workbooks (.xlsx) are accepted.") % {"name": name}
    return None


def _container_problems(data: bytes, max_bytes: int) -> list[str]:
    """Refuse what is not a plain .xlsx before any XML is parsed."""
    if len(data) > max_bytes:
        return [
            _("The file is larger than the limit of %(limit)s.")
            % {"limit": filesizeformat(max_bytes)}
        ]
    not_xlsx = _("The file is not an Excel workbook (.xlsx).")
    if not data.startswith(b"PK\x03\x04"):
        return [not_xlsx]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return [not_xlsx]
            total = sum(info.file_size for info in infos)
            if total > MAX_UNCOMPRESSED or total > max(len(data), 1) * MAX_RATIO:
                return [
                    _(
                        "The file unpacks to %(size)s, more than a workbook of this kind can "
                        "hold; it is refused unopened."
                    )
                    % {"size": filesizeformat(total)}
                ]
            names = {info.filename for info in infos}
            lowered = {name.lower() for name in names}
            if "[content_types].xml" not in lowered or "xl/workbook.xml" not in lowered:
                return [not_xlsx]
            content_types = archive.read(
                next(n for n in names if n.lower() == "[content_types].xml")
            ).lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError):
        return [not_xlsx]
    if (
        any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered)
        or b"macroenabled" in content_types
        or b"macrosheet" in content_types
        or b"vbaproject" in content_types
    ):
        return [_("Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx.")]
    return []


def _load(data: bytes, data_only: bool = True):
    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured("defusedxml must be installed to read uploaded workbooks.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
            )
    except Exception:  # whatever a malformed file raises, the answer is the same
        raise WorkbookError([_("The file could not be read as an Excel workbook.")]) from None


# --- import: the identity sheet -------------------------------------------------------------------


@dataclass
class _Identity:
    facts: dict[str, tuple[str, int]]  # key -> (text, row)
    criteria: dict[str, tuple[int | None, int | None, str]]  # code -> (row, revision, fingerprint)

    def text(self, key: str) -> str:
        return self.facts.get(key, ("", 0))[0].strip()

    def ref(self, key: str) -> str:
        row = self.facts.get(key, ("", 0))[1]
        return _ref(IDENTITY, 2, row) if row else IDENTITY


def _int(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) < 12 else None


def _read_identity(wb) -> _Identity | None:
    if IDENTITY not in wb.sheetnames:
        return None
    sheet = wb[IDENTITY]
    facts: dict[str, tuple[str, int]] = {}
    criteria: dict[str, tuple[int | None, int | None, str]] = {}
    in_table = False
    for row_number, row in enumerate(
        sheet.iter_rows(min_row=1, max_row=MAX_EXTRA_ROWS * 2, max_col=4, values_only=True),
        start=1,
    ):
        cells = [_cell_text(v) for v in (*row, None, None, None, None)[:4]]
        key = cells[0].strip()
        if not key:
            continue
        if key == "code" and cells[1].strip() == "row":
            in_table = True
            continue
        if in_table:
            criteria.setdefault(key, (_int(cells[1]), _int(cells[2]), cells[3].strip()))
        else:
            facts.setdefault(key, (cells[1], row_number))
    if facts.get("format", ("",))[0].strip() != FORMAT:
        return None
    return _Identity(facts=facts, criteria=criteria)


def _resolve_assessment(
    identity: _Identity, user, expected_id: int | None
) -> tuple[Assessment | None, list[str]]:
    ref = identity.ref("assessment")
    assessment_id = _int(identity.text("assessment"))
    if assessment_id is None:
        return None, [f"{ref}: " + _("the assessment number is missing or changed.")]
    if expected_id is not None and assessment_id != expected_id:
        return None, [
            f"{ref}: "
            + _("this workbook is for assessment %(found)s, not for assessment %(expected)s.")
            % {"found": assessment_id, "expected": expected_id}
        ]
    try:
        return get_assessment_for(user, assessment_id, write=True), []
    except Http404:
        return None, [
            f"{ref}: "
            + _("assessment %(id)s does not exist or is not one of your institution's.")
            % {"id": assessment_id}
        ]
    except PermissionDenied:
        assessment = get_assessment_for(user, assessment_id)
        if (
            getattr(user, "role", None) == Role.OFFICER
            and user.institution_id == assessment.institution_id
        ):
            message = _("This assessment is %(status)s and can no longer be changed.") % {
                "status": assessment.get_status_display()
            }
        else:
            message = _("Only a quality officer of the institution may change this assessment.")
        return None, [f"{ref}: {message}"]


def _identity_problems(identity: _Identity, assessment: Assessment) -> tuple[list[str], bool]:
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
                f"{identity.ref(key)}: " + message % {"found": found or "—", "expected": expected}
            )
            other_rubric = other_rubric or key in ("rubric", "version")
    return problems, other_rubric


# --- import: the answers ---------------------------------------------------------------------------


class _Levels:
    """Maps what a Level cell may hold back to a level: the label in the workbook's
    language first, then the canonical value, then a label in any other language."""

    def __init__(self, version: RubricVersion, language: str):
        self.values = {canonical_number_text(level["value"]) for level in version.scale}
        self.primary: dict[str, str] = {}
        with translation.override(language):
            self.primary[_norm(_na_label())] = NA_KEY
        for level in version.scale:
            self.primary.setdefault(
                _norm(localize(level["label"], language)), canonical_number_text(level["value"])
            )
        others: dict[str, set[str]] = {}
        languages = {code for code, _name in settings.LANGUAGES} | set(RUBRIC_LANGUAGES)
        for other in languages:
            for level in version.scale:
                others.setdefault(_norm(localize(level["label"], other)), set()).add(
                    canonical_number_text(level["value"])
                )
            with translation.override(other):
                others.setdefault(_norm(_na_label()), set()).add(NA_KEY)
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
            return self._number(_cell_text(value))
        text = _norm(_cell_text(value))
        if not text:
            return ""
        if text in self.primary:
            return self.primary[text]
        if text in _NA_TOKENS:
            return NA_KEY
        number = self._number(text)
        if number is not None:
            return number
        return self.fallback.get(text)


@dataclass
class _Row:
    number: int
    code: str
    level: Any
    justification: str
    links: str


# Cells whose content is read on upload; a formula in any of them is checked.
READ_COLUMNS = (COL_CODE, *INPUT_COLUMNS)


def _formula_cells(sheet, max_row: int) -> set[tuple[int, int]]:
    """(row, column) of the read cells that hold a formula, from the sheet read with formulas."""
    found = set()
    for cells in sheet.iter_rows(min_row=FIRST_ROW, max_row=max_row, max_col=COL_LINKS):
        for cell in cells:
            if cell.data_type == "f" and cell.column in READ_COLUMNS:
                found.add((cell.row, cell.column))
    return found


def _formula_problem(ref: str, cached: Any) -> str | None:
    """Why a formula cell's saved result cannot be used, or None to use it.

    The workbook is read for values (data_only), so a formula cell reads as the
    result Excel or LibreOffice saved with it, which is what the officer saw: that
    result is used like a typed value. Without a saved result (a file written by a
    program that does not calculate) the cell would read as empty and silently
    clear or keep the answer, so it is refused, as is a result that is an error.
    An empty text result cannot be told from no result and is refused too.
    """
    if cached is None or cached == "":
        return f"{ref}: " + _(
            "this cell holds a formula whose result was not saved; type the value instead."
        )
    if isinstance(cached, str) and cached in ERROR_CODES:
        return f"{ref}: " + _(
            "this cell's formula gives an error (%(error)s); type the value instead."
        ) % {"error": cached}
    return None


def _read_rows(
    sheet, expected_rows: int, formulas: set[tuple[int, int]]
) -> tuple[list[_Row], list[str]]:
    rows, problems = [], []
    limit = expected_rows + MAX_EXTRA_ROWS
    for number, values in enumerate(
        sheet.iter_rows(min_row=FIRST_ROW, max_col=COL_LINKS, values_only=True), start=FIRST_ROW
    ):
        values = (*values, *([None] * COL_LINKS))[:COL_LINKS]
        code = _cell_text(values[COL_CODE - 1]).strip()
        level = values[COL_LEVEL - 1]
        justification = _cell_text(values[COL_JUSTIFICATION - 1])
        links = _cell_text(values[COL_LINKS - 1])
        formula_problems = [
            problem
            for column in READ_COLUMNS
            if (number, column) in formulas
            and (problem := _formula_problem(_ref(ANSWERS, column, number), values[column - 1]))
        ]
        if (
            not code
            and _cell_text(level).strip() == ""
            and not justification
            and not links
            and not formula_problems
        ):
            if number > limit:
                break
            continue
        if number > limit:
            problems.append(
                _(
                    "%(sheet)s: more rows than the rubric has criteria; rows after %(row)s are ignored."
                )
                % {"sheet": ANSWERS, "row": limit}
            )
            break
        problems.extend(formula_problems)
        rows.append(_Row(number, code, level, justification, links))
    return rows, problems


def read_workbook(
    *, data: bytes, user, max_bytes: int | None = None, assessment_id: int | None = None
) -> WorkbookAnswers:
    """Check an uploaded workbook completely; raise WorkbookError with every problem.

    ``assessment_id``, when given, is the assessment the upload is meant for (the
    upload page's); otherwise the workbook's own assessment is used. Either way
    ``user`` must be allowed to change it.
    """
    problems = _container_problems(data, max_upload_bytes() if max_bytes is None else max_bytes)
    if problems:
        raise WorkbookError(problems)
    wb = _load(data)
    try:
        # Read a second time with formulas: the values alone cannot tell a formula
        # without a saved result from an empty cell.
        with_formulas = _load(data, data_only=False)
    except WorkbookError:
        wb.close()
        raise
    try:
        return _read(wb, with_formulas, user, assessment_id)
    finally:
        wb.close()
        with_formulas.close()


def _read(wb, with_formulas, user, expected_id: int | None) -> WorkbookAnswers:
    identity = _read_identity(wb)
    if identity is None:
        raise WorkbookError(
            [
                _(
                    "%(sheet)s: this workbook was not downloaded from this application, or its "
                    "hidden sheet was removed. Download the workbook again."
                )
                % {"sheet": IDENTITY}
            ]
        )
    if _int(identity.text("format_version")) != FORMAT_VERSION:
        raise WorkbookError(
            [
                f"{identity.ref('format_version')}: "
                + _("this workbook's format is not supported. Download the workbook again.")
            ]
        )
    assessment, problems = _resolve_assessment(identity, user, expected_id)
    if assessment is None:
        raise WorkbookError(problems)
    problems, other_rubric = _identity_problems(identity, assessment)
    if other_rubric:
        raise WorkbookError(problems)
    if ANSWERS not in wb.sheetnames:
        raise WorkbookError([*problems, f"{ANSWERS}: " + _("this sheet is missing.")])

    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.order_by("position")}
    language = identity.text("language")
    levels = _Levels(version, _language(language))
    prefilled = identity.text("prefilled") != "0"
    expected_at = {row: code for code, (row, _rev, _fp) in identity.criteria.items() if row}

    formulas = _formula_cells(with_formulas[ANSWERS], len(criteria) + MAX_EXTRA_ROWS + 1)
    rows, row_problems = _read_rows(wb[ANSWERS], len(criteria), formulas)
    problems.extend(row_problems)
    code_problems, valid_rows = _check_codes(rows, criteria, expected_at, identity)
    problems.extend(code_problems)
    parsed: dict[str, tuple[_Row, str]] = {}
    for row in valid_rows:
        problems.extend(_check_row(row, criteria[row.code], levels, parsed))
    if problems:
        problems.sort(key=_problem_order)
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                _("… and %(count)s more problems.") % {"count": more},
            ]
        raise WorkbookError(problems)

    current = responses_by_code(assessment)
    answers, base_revisions, where = {}, {}, {}
    for code, (row, level_key) in parsed.items():
        _row, revision, fingerprint = identity.criteria.get(code, (None, None, ""))
        if fingerprint and fingerprint == _fingerprint(level_key, row.justification, row.links):
            continue  # untouched since export
        answers[code] = _answer(row, level_key, current.get(code), prefilled)
        where[code] = row.number
        if revision is not None:
            base_revisions[code] = revision
    return WorkbookAnswers(
        assessment=assessment,
        answers=answers,
        base_revisions=base_revisions,
        language=language,
        prefilled=prefilled,
        rows=where,
    )


_LOCATION = re.compile(r"^(\w+)!([A-Z]+)(\d+):")


def _problem_order(problem: str) -> tuple[int, int, int]:
    """Sheet problems first, then cell by cell in reading order."""
    match = _LOCATION.match(problem)
    if match is None:
        return (0, 0, 0)
    return (1, int(match[3]), column_index_from_string(match[2]))


def _check_codes(
    rows: list[_Row],
    criteria: dict[str, Criterion],
    expected_at: dict[int, str],
    identity: _Identity,
) -> tuple[list[str], list[_Row]]:
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
    problems, valid, reported_rows = [], [], set()
    for row in rows:
        ref = _ref(ANSWERS, COL_CODE, row.number)
        expected = expected_at.get(row.number)
        this_row = (
            " " + _("This row is for %(expected)s.") % {"expected": expected}
            if expected and expected != row.code
            else ""
        )
        if not row.code:
            message = (
                _("the criterion code %(expected)s was removed.") % {"expected": expected}
                if expected
                else _("a row without a criterion code.")
            )
        elif row.code not in criteria:
            message = (
                _('"%(code)s" is not a criterion code of this rubric.') % {"code": row.code}
                + this_row
            )
        elif original[row.code] != row.number:
            message = (
                _("criterion %(code)s appears more than once (also in row %(row)s).")
                % {"code": row.code, "row": original[row.code]}
                + this_row
            )
        elif expected and expected != row.code:
            message = _("the criterion code was changed from %(expected)s to %(code)s.") % {
                "expected": expected,
                "code": row.code,
            }
        else:
            valid.append(row)
            continue
        problems.append(f"{ref}: {message}")
        reported_rows.add(row.number)
    for code in criteria:
        if code in occurrences:
            continue
        row_number = identity.criteria.get(code, (None, None, ""))[0]
        if row_number in reported_rows:
            continue  # already reported on that row
        where = _ref(ANSWERS, COL_CODE, row_number) if row_number else ANSWERS
        problems.append(f"{where}: " + _("criterion %(code)s is missing.") % {"code": code})
    return problems, valid


def _check_row(
    row: _Row, criterion: Criterion, levels: _Levels, parsed: dict[str, tuple[_Row, str]]
) -> list[str]:
    problems = []
    level_ref = _ref(ANSWERS, COL_LEVEL, row.number)
    key = levels.key(row.level)
    if key is None:
        problems.append(
            f"{level_ref}: "
            + _('"%(value)s" is not a level of this rubric.') % {"value": _cell_text(row.level)}
        )
    elif key == NA_KEY and not criterion.allow_na:
        problems.append(
            f"{level_ref}: "
            + _("N/A is not allowed for criterion %(code)s.") % {"code": criterion.code}
        )
    if len(row.justification) > MAX_JUSTIFICATION:
        problems.append(
            f"{_ref(ANSWERS, COL_JUSTIFICATION, row.number)}: "
            + _("the justification is longer than %(max)s characters.") % {"max": MAX_JUSTIFICATION}
        )
    links_ref = _ref(ANSWERS, COL_LINKS, row.number)
    if len(row.links) > MAX_LINKS:
        problems.append(
            f"{links_ref}: "
            + _("the evidence links are longer than %(max)s characters.") % {"max": MAX_LINKS}
        )
    else:
        bad = invalid_links(row.links)
        if bad:
            problems.append(
                f"{links_ref}: "
                + _("not a web address (http or https): %(links)s") % {"links": ", ".join(bad)}
            )
    if not problems:
        parsed[criterion.code] = (row, key)
    return problems


def _answer(row: _Row, level_key: str, current: Response | None, prefilled: bool) -> AnswerInput:
    current_justification = current.justification if current else ""
    current_links = current.evidence_links if current else ""
    justification, links = row.justification, row.links
    # A text that only lost what a cell cannot hold (\r, control characters) is unchanged.
    if justification == _sanitize(current_justification):
        justification = current_justification
    if links == _sanitize(current_links):
        links = current_links
    if not prefilled:
        # A blank workbook never showed the current answer: an empty cell keeps it.
        if level_key == "":
            level_key = _level_key(current)
        if not row.justification:
            justification = current_justification
        if not row.links:
            links = current_links
    if level_key == NA_KEY:
        return AnswerInput(na=True, justification=justification, links=links)
    value = Decimal(level_key) if level_key else None
    return AnswerInput(value=value, justification=justification, links=links)


# --- import: applying ---------------------------------------------------------------------------


def import_workbook(
    *,
    data: bytes,
    user,
    source: str = "workbook",
    assessment_id: int | None = None,
    max_bytes: int | None = None,
) -> int:
    """Check and apply a workbook, all or nothing; return how many criteria changed."""
    checked = read_workbook(data=data, user=user, max_bytes=max_bytes, assessment_id=assessment_id)
    if not checked.answers:
        return 0
    try:
        saved = assessment_save_answers(
            assessment=checked.assessment,
            answers=checked.answers,
            actor=user,
            source=source,
            base_revisions=checked.base_revisions,
        )
    except AnswerConflict as conflict:
        hint = _("Download the workbook again to see the current answers.")
        raise WorkbookError(
            [
                f"{_ref(ANSWERS, COL_CODE, checked.rows.get(c.code, 0))}: {problem} {hint}"
                if checked.rows.get(c.code)
                else f"{problem} {hint}"
                for c, problem in zip(conflict.conflicts, conflict.problems, strict=True)
            ]
        ) from None
    except AssessmentError as error:
        raise WorkbookError(error.problems) from None
    return len(saved)
