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
from qa_tool.core.spreadsheets import fit_rows, print_setup
from rubrics.i18n import localize
from rubrics.models import Criterion, RubricVersion
from rubrics.scoring import canonical_number_text

from ..cells import protect
from .layout import (
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
    NA_KEY,
    SHEET_FACTS,
    WIDTHS,
    answers_title,
    cell_ref,
    fingerprint,
    instructions_title,
    level_key,
    levels_title,
    na_label,
    sanitize,
    supported_language,
)

_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
INSTRUCTIONS_WIDTH = 90
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
    titles = _sheet_titles()
    instructions = wb.active
    instructions.title = titles["instructions"]
    ws = wb.create_sheet(titles["answers"])
    ws.sheet_view.rightToLeft = translation.get_language_bidi()
    _write_headers(ws)
    rows = _write_answers(ws, assessment, prefilled, language, labels)
    fit_rows(ws)
    _write_levels(wb, ws, titles["levels"], labels, rows)
    _protect_and_print(ws)
    _write_instructions(instructions, assessment, language, labels, titles["answers"])
    _write_identity(wb, assessment, prefilled, language, rows, titles)
    # The officer starts on the instructions; the answers are one tab away.
    wb.active = 0
    # Sheets cannot be renamed, moved, unhidden or deleted without unprotecting first.
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_titles() -> dict[str, str]:
    """The visible sheets' names in the active language, distinct from each other and
    from the identity sheet's (a translation could make two alike)."""
    titles: dict[str, str] = {}
    taken = {IDENTITY.casefold()}
    for key, title in (
        ("instructions", instructions_title()),
        ("answers", answers_title()),
        ("levels", levels_title()),
    ):
        candidate, number = title, 2
        while candidate.casefold() in taken:
            candidate = f"{title[:28]} {number}"
            number += 1
        taken.add(candidate.casefold())
        titles[key] = candidate
    return titles


def _instruction_lines(
    assessment: Assessment, language: str, labels: list[str], answers: str
) -> list[tuple[str, bool]]:
    """(text, is_heading) lines of the Instructions sheet, in the workbook's language."""
    version = assessment.rubric_version
    facts = _("%(institution)s · %(rubric)s (%(version)s) · cycle %(cycle)s") % {
        "institution": assessment.institution.name,
        "rubric": localize(version.title, language),
        "version": version.version,
        "cycle": assessment.cycle.name,
    }
    return [
        (_("Self-assessment workbook"), True),
        (sanitize(facts), False),
        ("", False),
        (_("How to fill it in"), True),
        (
            _(
                "1. Open the sheet “%(sheet)s”. Each row is one criterion of the rubric, "
                "with its guidance and what each level means."
            )
            % {"sheet": answers},
            False,
        ),
        (
            _(
                "2. Fill in only the yellow cells: the level (choose it from the list), "
                "the justification, and the evidence links, one web address per line."
            ),
            False,
        ),
        (
            _("3. The levels of this rubric: %(levels)s. Where a criterion allows it, “%(na)s”.")
            % {"levels": ", ".join(labels), "na": na_label()},
            False,
        ),
        (
            _(
                "4. Do not change the criterion codes, add rows or rename sheets: the "
                "upload checks that every row is where it was exported."
            ),
            False,
        ),
        (
            _(
                "5. Save the file as an Excel workbook (.xlsx) and upload it on the "
                "assessment's page. Only the answers you changed are saved; if a colleague "
                "changed the same criterion online in the meantime, nothing is saved and the "
                "problem is shown, so that you can download the workbook again."
            ),
            False,
        ),
        (
            _(
                "6. An upload with a problem changes nothing: every problem is listed with "
                "its cell (for example %(cell)s), in the language of this workbook."
            )
            % {"cell": cell_ref(answers, COL_LEVEL, FIRST_ROW)},
            False,
        ),
    ]


def _write_instructions(
    ws: Worksheet, assessment: Assessment, language: str, labels: list[str], answers: str
) -> None:
    ws.sheet_view.rightToLeft = translation.get_language_bidi()
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for row, (text, heading) in enumerate(
        _instruction_lines(assessment, language, labels, answers), start=1
    ):
        cell = ws.cell(row=row, column=1)
        protect(cell, sanitize(text) or None)
        cell.alignment = _WRAP
        if heading:
            cell.font = _TITLE_FONT if row == 1 else _HEADER_FONT
    fit_rows(ws)
    ws.protection.sheet = True
    # Landscape like the other sheets: LibreOffice cuts a right-to-left column wider than
    # a portrait page even when told to fit it.
    print_setup(ws, title_rows=None)


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
    wb: openpyxl.Workbook, ws: Worksheet, title: str, labels: list[str], rows: list[_Exported]
) -> None:
    """The level lists live on a hidden sheet (inline lists are capped at 255 characters);
    each validation covers only its criteria's rows, never whole columns."""
    levels = wb.create_sheet(title)
    quoted = "'" + title.replace("'", "''") + "'"
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
            formula1=f"{quoted}!${column}$1:${column}${count}",
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
    print_setup(ws, title_rows="1:1")


def _write_identity(
    wb: openpyxl.Workbook,
    assessment: Assessment,
    prefilled: bool,
    language: str,
    rows: list[_Exported],
    titles: dict[str, str],
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
        *[(fact, titles[key]) for key, fact in SHEET_FACTS.items()],
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
