"""Writing a rubric as a workbook that quality officers edit and import back.

``sheet_values`` lays a normalised document out as rows (pure); ``rubric_workbook`` writes
them with the instructions in the author's language. Every text goes through the
formula-safe ``protect``; a text a spreadsheet cannot hold (control characters) is
refused rather than changed (or cut short), so what imports back is always the same rubric.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qa_tool.core import bounds
from qa_tool.core.spreadsheets import fit_rows, print_setup, protect
from rubrics.document import RubricFileError, file_problem

from .layout import (
    BANDS,
    BOOLEAN,
    CHOICES,
    CRITERIA,
    DEFAULTS,
    DESCRIPTORS,
    DOMAINS,
    INSTRUCTIONS,
    RECOMMENDATIONS,
    SCALE,
    SETTINGS,
    SETTINGS_HEADER,
    SETTINGS_ROWS,
    SHEET_COLUMNS,
    SHEETS,
    TEXT,
    Column,
    Setting,
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- the document as rows (pure) ----------------------------------------------------------------


def _cell(source: dict[str, Any], column: Column) -> Any:
    value = source.get(column.key)
    if column.kind == TEXT:
        return (value or {}).get(column.language)
    if column.kind == BOOLEAN:
        return True if value else None if value is None else False
    return value


def _setting(doc: dict[str, Any], setting: Setting) -> Any:
    if setting.sub:
        return (doc.get("pass") or {}).get(setting.sub)
    if setting.language:
        return (doc.get(setting.key) or {}).get(setting.language)
    if setting.key in DEFAULTS:
        return doc.get(setting.key, DEFAULTS[setting.key])
    return doc.get(setting.key)


def _level_rows(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [
        {"criterion": criterion["code"], "level": _number(level), "text": text}
        for domain in doc["domains"]
        for criterion in domain["criteria"]
        for level, text in (criterion.get(key) or {}).items()
    ]


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def sheet_values(doc: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Every sheet of a normalised document's workbook: a header row, then one row a
    setting, level, band, domain, criterion, descriptor or recommendation (None: empty)."""
    records: dict[str, list[dict[str, Any]]] = {
        SCALE: doc["scale"],
        BANDS: doc.get("bands") or [],
        DOMAINS: doc["domains"],
        CRITERIA: [
            {**criterion, "domain": domain["code"]}
            for domain in doc["domains"]
            for criterion in domain["criteria"]
        ],
        DESCRIPTORS: _level_rows(doc, "descriptors"),
        RECOMMENDATIONS: _level_rows(doc, "recommendations"),
    }
    out: dict[str, list[list[Any]]] = {
        SETTINGS: [list(SETTINGS_HEADER[:2])]
        + [[setting.name, _setting(doc, setting)] for setting in SETTINGS_ROWS]
    }
    for sheet, rows in records.items():
        columns = SHEET_COLUMNS[sheet]
        out[sheet] = [[c.header for c in columns]] + [
            [_cell(row, c) for c in columns] for row in rows
        ]
    return out


def _unwritable(text: str) -> str | None:
    """Why a spreadsheet cannot hold ``text`` as it is, or None."""
    if "\r" in text or ILLEGAL_CHARACTERS_RE.search(text):
        # XML reads a carriage return back as a line feed.
        return _("holds control characters or carriage returns, which a spreadsheet cannot keep")
    if len(text) > bounds.EXCEL_CELL_MAX:
        return _("is longer than a spreadsheet cell holds (%(max)s characters)") % {
            "max": bounds.EXCEL_CELL_MAX
        }
    return None


def unwritable_texts(values: dict[str, list[list[Any]]]) -> list[tuple[str, str]]:
    """(cell, why) of every text a spreadsheet cannot hold as it is."""
    return [
        (f"{sheet}!{get_column_letter(col)}{row}", why)
        for sheet, rows in values.items()
        for row, cells in enumerate(rows, start=1)
        for col, value in enumerate(cells, start=1)
        if isinstance(value, str) and (why := _unwritable(value))
    ]


# --- the workbook -------------------------------------------------------------------------------


def _notes() -> dict[str, str]:
    choices = {key: " | ".join(values) for key, values in CHOICES.items()}
    return {
        "slug": _("Lowercase letters and digits separated by hyphens; names the rubric."),
        "version": _("Letters, digits, dots, hyphens or underscores, such as 1.0."),
        "title_en": _("Required. The other languages are optional."),
        "level": _("What one assessment is about: %(choices)s") % {"choices": choices["level"]},
        "aggregate": _("How the overall score is formed: %(choices)s")
        % {"choices": choices["aggregate"]},
        "consensus": _("How a review panel's levels become one: %(choices)s")
        % {"choices": choices["consensus"]},
        "normalise": _("How a level becomes a percentage: %(choices)s")
        % {"choices": choices["normalise"]},
        "overall": _("An overall score, or none for a profile: %(choices)s")
        % {"choices": choices["overall"]},
        "plan_target": _("What an action aims at: %(choices)s")
        % {"choices": choices["plan_target"]},
        "pass_min_score": _("Optional pass rule: a percentage, or pass_min_points instead."),
        "pass_critical_min_value": _(
            "The lowest level every critical criterion needs (default: the top level)."
        ),
    }


def instructions() -> list[str]:
    """The Instructions sheet, one paragraph a row, in the active language."""
    return [
        _("Authoring a rubric in this workbook"),
        _(
            "Each sheet is one part of the rubric. Row 1 holds the column names: keep them as "
            "they are (their order may change). Add one row per item below them; empty rows "
            "are skipped."
        ),
        _(
            "Texts take one column per language: _en (required), _fr, _ar and _zh-hans. Leave "
            "a language empty where it has no text; pages fall back to English."
        ),
        _(
            "Rubric settings: one key per row with its value in column B. The pass rule is "
            "the pass_ keys."
        ),
        _(
            "Scale: one row per level, values strictly increasing. Bands: min (percent) or "
            "min_points, starting at 0. Domains: one row per domain, in order."
        ),
        _(
            "Criteria: one row per criterion, with the code of its domain in the domain "
            "column; criteria keep their row order within their domain. Use TRUE or FALSE "
            "in critical, allow_na and evidence_required."
        ),
        _(
            "Descriptors and Recommendations: one row per criterion and level value; the top "
            "level needs no recommendation."
        ),
        _(
            "Type values only: formulas are refused. Import the saved .xlsx file on the "
            "rubric import page or with the import_rubric command; every problem is listed "
            "with its sheet and cell, and nothing is imported until all are fixed."
        ),
    ]


def _write_sheet(ws: Worksheet, rows: list[list[Any]], widths: list[int]) -> None:
    for row_number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = protect(ws.cell(row=row_number, column=column), value)
            if row_number == 1:
                cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            elif isinstance(value, str):
                cell.alignment = _WRAP
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"


def rubric_workbook(doc: dict[str, Any], *, language: str, source: str = "") -> bytes:
    """The workbook of a normalised rubric document, with instructions in ``language``.

    Raises RubricFileError when a text holds characters a spreadsheet cannot keep."""
    values = sheet_values(doc)
    bad = unwritable_texts(values)
    if bad:
        raise RubricFileError([file_problem(source, where, why) for where, why in bad])
    with translation.override(language):
        wb = openpyxl.Workbook()
        guide = wb.active
        guide.title = INSTRUCTIONS
        _write_sheet(guide, [[line] for line in instructions()], [80])
        guide.freeze_panes = None
        guide["A1"].font = Font(bold=True, size=14)
        guide["A1"].fill = PatternFill()
        guide.sheet_view.rightToLeft = translation.get_language_bidi()
        # Spreadsheet programs do not grow a row for wrapped text on opening a file.
        fit_rows(guide, 2)
        print_setup(guide, title_rows=None)
        notes = _notes()
        for sheet in SHEETS:
            ws = wb.create_sheet(sheet)
            if sheet == SETTINGS:
                rows = [values[sheet][0] + [SETTINGS_HEADER[2]]] + [
                    [*row, notes.get(row[0])] for row in values[sheet][1:]
                ]
                _write_sheet(ws, rows, [26, 40, 70])
            else:
                _write_sheet(ws, values[sheet], [c.width for c in SHEET_COLUMNS[sheet]])
            fit_rows(ws)
            print_setup(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def example_document() -> dict[str, Any]:
    """The template's example rows: the smallest rubric that imports."""
    return {
        "slug": "my-rubric",
        "version": "1.0",
        "title": {"en": "My rubric"},
        "aggregate": "domains",
        "scale": [
            {"value": 0, "label": {"en": "Not yet"}},
            {"value": 1, "label": {"en": "Partly"}},
            {"value": 2, "label": {"en": "Fully"}},
        ],
        "bands": [{"min": 0, "label": {"en": "Developing"}}],
        "domains": [
            {
                "code": "D1",
                "title": {"en": "Course design"},
                "weight": 1,
                "criteria": [
                    {
                        "code": "D1.1",
                        "text": {"en": "Learning outcomes are stated and measurable."},
                        "guidance": {"en": "Look at the syllabus."},
                        "weight": 1,
                        "critical": False,
                        "allow_na": False,
                        "descriptors": {"2": {"en": "Every outcome is measurable."}},
                        "recommendations": {"0": {"en": "Write the outcomes down."}},
                    }
                ],
            }
        ],
    }


def template_workbook(*, language: str) -> bytes:
    """The blank template: every sheet, its header row, the instructions and one example."""
    return rubric_workbook(example_document(), language=language)
