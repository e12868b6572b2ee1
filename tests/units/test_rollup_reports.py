"""The institution's reports carry a roll-up section per programme- or course-level rubric
reviewed in the cycle; a unit's own report carries its subject."""

import io
import json

import openpyxl

from ..reports.test_reports import needs_poppler, pdf_text, render
from .conftest import ALL_TOP, review
from .test_rollup import A2, B1


def _setup(units, course_version, cycle, reviewer):
    review(units["A1"], course_version, cycle, ALL_TOP, status="validated", reviewer=reviewer)
    review(units["A2"], course_version, cycle, A2)
    return review(units["B1"], course_version, cycle, B1)


def test_json_and_excel_reports_of_the_institution(
    assessment, units, course_version, cycle, reviewer
):
    b1 = _setup(units, course_version, cycle, reviewer)
    data = json.loads(render(assessment, "json"))
    assert data["subject"] is None
    (rollup,) = data["rollups"]
    assert (rollup["rubric"], rollup["units"], rollup["passed"], rollup["pass_rate"]) == (
        "test-course",
        3,
        2,
        66.7,
    )
    workbook = openpyxl.load_workbook(io.BytesIO(render(assessment, "xlsx")))
    sheet = workbook["Roll-up 1"]
    values = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}
    assert values["Units reviewed"] == 3 and values["Pass rate"] == 0.667
    assert values["Weakest criteria"] == "C2, C1, C4, C5, C3"
    # A unit's own report names its subject and has no roll-up.
    own = json.loads(render(b1, "json"))
    assert own["subject"] == "B1" and own["rollups"] == []
    summary = openpyxl.load_workbook(io.BytesIO(render(b1, "xlsx")))["Summary"]
    assert any(row[1].value == "B1 · Course B1" for row in summary.iter_rows())


@needs_poppler
def test_pdf_report_of_the_institution(
    assessment, units, course_version, cycle, reviewer, tmp_path
):
    b1 = _setup(units, course_version, cycle, reviewer)
    text = pdf_text(render(assessment, "pdf"), tmp_path)
    assert "Roll-up: Test rubric (1)" in text
    assert "66.7 %" in text
    own = pdf_text(render(b1, "pdf"), tmp_path, "own.pdf")
    assert "Programme or course" in own and "Roll-up:" not in own
