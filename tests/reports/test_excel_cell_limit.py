"""Texts over Excel's 32,767-character cell limit never reach a workbook.

The typed-text limits keep new texts far below it; a row stored before them (or changed
in the database) is cut with a visible marker instead of producing a file Excel repairs.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.models import Response
from qa_tool.core.bounds import EXCEL_CELL_MAX
from reports.xlsx import cell_text

from .test_reports import render

LONG = "é" * 40_000


@pytest.fixture
def oversized(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    Response.objects.filter(assessment=assessment, criterion__code="C1").update(
        justification=LONG, review_comment="=1+1" + "x" * 40_000
    )
    ActionItem.objects.filter(assessment=assessment).update(text="Vertical\x0btab " + LONG)
    return assessment


def test_an_over_long_text_is_cut_with_a_marker_in_the_report_workbook(oversized):
    workbook = openpyxl.load_workbook(io.BytesIO(render(oversized, "xlsx")))
    scores = {row[1].value: row for row in workbook["Scores"].iter_rows(min_row=2)}
    justification = scores["C1"][8].value
    assert len(justification) <= EXCEL_CELL_MAX
    assert justification.startswith("é" * 1000)
    assert justification.endswith("(cut at Excel's cell limit: 40000 characters in all)")
    comment = scores["C1"][9]
    assert len(comment.value) <= EXCEL_CELL_MAX and comment.quotePrefix  # still formula-safe
    actions = [row[6].value for row in workbook["Action plan"].iter_rows(min_row=2)]
    assert actions and all(len(text) <= EXCEL_CELL_MAX for text in actions)
    assert all("\x0b" not in text for text in actions)


@pytest.mark.parametrize("value", [None, 3, 2.5, "", "short", "x" * EXCEL_CELL_MAX])
def test_values_within_the_limit_are_written_as_they_are(value):
    assert cell_text(value) == value


def test_a_cut_text_is_exactly_at_the_limit():
    assert len(cell_text("x" * (EXCEL_CELL_MAX + 1))) == EXCEL_CELL_MAX
