"""Writing the offline fill-in workbook of an assessment.

One row per criterion on the "Answers" sheet; only the Level (a drop-down of the
rubric's level labels, fed from the hidden "Levels" sheet), Justification and Evidence
links cells are unlocked. The very hidden "Identity" sheet names the assessment,
institution, rubric version, cycle and language, and holds each criterion's response
revision and a fingerprint of what was exported, so that an upload sends only what the
officer changed and detects a colleague's later change.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from qa_tool.assessments.models import Assessment, Response
from qa_tool.assessments.selectors import responses_by_code
from rubrics.i18n import localize
from rubrics.models import Criterion, RubricVersion
from rubrics.scoring import canonical_number_text

from ..cells import protect
from .layout import (
    ANSWERS,
    COL_CODE,
    COL_DOMAIN,
    COL_GUIDANCE,
    COL_JUSTIFICATION,
    COL_LEVEL,
    COL_LINKS,
    COL_TEXT,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    IDENTITY,
    IDENTITY_COLUMNS,
    INPUT_COLUMNS,
    LEVELS,
    NA_KEY,
    WIDTHS,
    fingerprint,
    level_key,
    na_label,
    sanitize,
    supported_language,
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


@dataclass
class _Exported:
    """One criterion's row as written: where it is and what the identity sheet records."""

    code: str
    row: int
    revision: int
    fingerprint: str
    allow_na: bool


def export_workbook(*, assessment: Assessment, prefilled: bool = True, language: str) -> bytes:
    """The fill-in workbook of ``assessment`` in ``language``, blank or with the current answers."""
    language = supported_language(language)
    with translation.override(language):
        return _export(assessment, prefilled, language)


def _export(assessment: Assessment, prefilled: bool, language: str) -> bytes:
    version = assessment.rubric_version
    labels = [sanitize(localize(level["label"], language)) for level in version.scale]
    wb = openpyxl.Workbook()
    wb.properties.title = sanitize(f"{assessment.institution.code} {version} {assessment.cycle}")
    wb.properties.creator = "qa-tool"
    ws = wb.active
    ws.title = ANSWERS
    ws.sheet_view.rightToLeft = translation.get_language_bidi()
    _write_headers(ws)
    rows = _write_answers(ws, assessment, prefilled, language, labels)
    _write_levels(wb, ws, labels, rows)
    _protect_and_print(ws)
    _write_identity(wb, assessment, prefilled, language, rows)
    # Sheets cannot be renamed, moved, unhidden or deleted without unprotecting first.
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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


def _write_headers(ws: Worksheet) -> None:
    for column, header in enumerate(_headers(), start=1):
        cell = ws.cell(row=1, column=column)
        protect(cell, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for column, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"


def _guidance(criterion: Criterion, version: RubricVersion, language: str) -> str:
    parts = []
    if criterion.code in version.evidence_required_codes:
        parts.append(
            _(
                "Evidence required: submitting needs at least one evidence link here (or a file "
                "attached online), unless the criterion is answered N/A."
            )
        )
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
    return sanitize("\n\n".join(parts))


def _write_answers(
    ws: Worksheet, assessment: Assessment, prefilled: bool, language: str, labels: list[str]
) -> list[_Exported]:
    version = assessment.rubric_version
    criteria = version.criteria.select_related("domain").order_by("position")
    responses = responses_by_code(assessment)
    label_of = {
        canonical_number_text(level["value"]): label
        for level, label in zip(version.scale, labels, strict=True)
    }
    na_text = sanitize(na_label())
    exported = []
    for row, criterion in enumerate(criteria, start=FIRST_ROW):
        response: Response | None = responses.get(criterion.code) if prefilled else None
        key = level_key(response)
        justification = sanitize(response.justification) if response else ""
        links = sanitize(response.evidence_links) if response else ""
        domain = criterion.domain
        values = {
            COL_DOMAIN: sanitize(f"{domain.code} {localize(domain.title, language)}".strip()),
            COL_CODE: criterion.code,
            COL_TEXT: sanitize(localize(criterion.text, language)),
            COL_GUIDANCE: _guidance(criterion, version, language),
            COL_LEVEL: na_text if key == NA_KEY else label_of.get(key, key),
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
        current = responses.get(criterion.code)
        exported.append(
            _Exported(
                code=criterion.code,
                row=row,
                revision=current.revision if current else 0,
                fingerprint=fingerprint(key, justification, links),
                allow_na=criterion.allow_na,
            )
        )
    return exported


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


def _write_levels(
    wb: openpyxl.Workbook, ws: Worksheet, labels: list[str], rows: list[_Exported]
) -> None:
    """The level lists live on a hidden sheet (inline lists are capped at 255 characters);
    each validation covers only its criteria's rows, never whole columns."""
    levels = wb.create_sheet(LEVELS)
    levels.sheet_state = "hidden"
    for index, label in enumerate(labels, start=1):
        protect(levels.cell(row=index, column=1), label)
        protect(levels.cell(row=index, column=2), label)
    protect(levels.cell(row=len(labels) + 1, column=2), sanitize(na_label()))
    levels.protection.sheet = True
    plain_rows = [r.row for r in rows if not r.allow_na]
    na_rows = [r.row for r in rows if r.allow_na]
    for numbers, column, count in (
        (plain_rows, "A", len(labels)),
        (na_rows, "B", len(labels) + 1),
    ):
        if not numbers:
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
        for cells in _ranges(numbers, COL_LEVEL):
            validation.add(cells)
        ws.add_data_validation(validation)


def _protect_and_print(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may still be adjusted
    ws.protection.formatRows = False
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_identity(
    wb: openpyxl.Workbook,
    assessment: Assessment,
    prefilled: bool,
    language: str,
    rows: list[_Exported],
) -> None:
    version = assessment.rubric_version
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
    for column, name in enumerate(IDENTITY_COLUMNS, start=1):
        identity.cell(row=header_row, column=column, value=name)
    for index, exported in enumerate(rows, start=1):
        protect(identity.cell(row=header_row + index, column=1), exported.code)
        identity.cell(row=header_row + index, column=2, value=exported.row)
        identity.cell(row=header_row + index, column=3, value=exported.revision)
        identity.cell(row=header_row + index, column=4, value=exported.fingerprint)
    identity.protection.sheet = True
