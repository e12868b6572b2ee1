"""The institution report's roll-up sheets: one per programme- or course-level rubric
reviewed in the cycle. Laid out from the roll-up figures; nothing is computed here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qa_tool.benchmarks.rollup_selectors import RollupReport
from qa_tool.core.numbers import display_float
from qa_tool.core.spreadsheets import PERCENT, fit_rows, percent, print_setup

from .cells import protect

LEVEL = "0.0"  # a mean level, not a percentage
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")


def _write(ws: Any, row: int, values: list[Any], *, header: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column)
        protect(cell, value.fraction if isinstance(value, Percent) else value)
        cell.alignment = WRAP
        if header:
            cell.font = BOLD
            cell.fill = HEADER_FILL
        elif isinstance(value, Percent):
            cell.number_format = PERCENT
        elif isinstance(value, float):
            cell.number_format = LEVEL


class Percent:
    """A score or rate on 0-100, written as the fraction a percent cell holds."""

    def __init__(self, value: Any):
        self.fraction = percent(value)


Row = tuple[list[Any], bool]  # the cells, and whether they are a header


def rollup_sheet(wb: Workbook, report: RollupReport, number: int) -> None:
    """Add the roll-up of ``report`` to ``wb`` as the ``number``-th roll-up sheet."""
    ws = wb.create_sheet(f"{_('Roll-up')} {number}"[:31])
    ws.sheet_view.rightToLeft = get_language_bidi()
    for column, width in enumerate([30, 14, 14, 16, 18, 14], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    rows = [*_summary_rows(report), ([], False), *_criteria_rows(report)]
    rows += [([], False), *_programme_rows(report)]
    for index, (values, header) in enumerate(rows, start=1):
        _write(ws, index, values, header=header)
    fit_rows(ws)
    print_setup(ws, title_rows=None)


def _summary_rows(report: RollupReport) -> list[Row]:
    f = report.figures
    version = report.rubric_version
    return [
        ([_("Roll-up of unit reviews"), f"{version.display_title} ({version.version})"], True),
        ([_("Cycle"), report.cycle.name], False),
        ([_("Units reviewed"), f.units], False),
        ([_("Passed"), f.passed if f.has_pass_rule else None], False),
        ([_("Pass rate"), Percent(f.pass_rate)], False),
        ([_("Mean score"), Percent(f.score.mean)], False),
        ([_("Median score"), Percent(f.score.median)], False),
        ([_("Lowest score"), Percent(f.score.min)], False),
        ([_("Highest score"), Percent(f.score.max)], False),
        ([_("Weakest criteria"), ", ".join(c.code for c in f.weakest)], False),
    ]


def _criteria_rows(report: RollupReport) -> list[Row]:
    header = [
        _("Criterion"),
        _("Units that rated it"),
        _("At the top level"),
        _("Share at the top level"),
        _("Share below the critical minimum"),
        _("Mean level"),
    ]
    return [(header, True)] + [
        (
            [
                c.code,
                c.rated,
                c.at_top,
                Percent(c.top_rate),
                Percent(c.below_critical_rate),
                display_float(c.mean_level),
            ],
            False,
        )
        for c in report.figures.criteria
    ]


def _programme_rows(report: RollupReport) -> list[Row]:
    header = [_("Programme"), _("Units reviewed"), _("Passed"), _("Pass rate"), _("Median score")]
    return [(header, True)] + [
        (
            [
                p.code or _("In no programme"),
                p.figures.units,
                p.figures.passed if p.figures.has_pass_rule else None,
                Percent(p.figures.pass_rate),
                Percent(p.figures.score.median),
            ],
            False,
        )
        for p in report.figures.programmes
    ]
