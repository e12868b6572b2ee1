"""One headline on every surface: a validated assessment is read through the reviewer's levels.

The assessment below is self-assessed at 71.3 % (band Middle, passed) and validated at
39.8 % (band Low, not passed), so any surface that reads the wrong result shows itself.

Self:      C1=3, C2=2, C3=N/A, C4=1, C5=2
           D1 = (3/3 + 2*(2/3)) / 3 = 7/9 = 77.8 %;  D2 = (1/3 + 3*(2/3)) / 4 = 7/12 = 58.3 %
           overall = (2*7/9 + 7/12) / 3 = 77/108 = 71.3 %
Validated: the reviewer rates C1=1 and C5=0 (other levels kept)
           D1 = (1/3 + 4/3) / 3 = 5/9 = 55.6 %;   D2 = (1/3 + 0) / 4 = 1/12 = 8.3 %
           overall = (2*5/9 + 1/12) / 3 = 43/108 = 39.8 %
"""

import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from qa_tool.assessments.selectors import assessment_scores
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_submit,
    assessment_validate,
)
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.models import ScoreSummary
from qa_tool.benchmarks.selectors import institution_trend
from reports.context import build_report_context
from reports.exporters import EXPORTERS

SELF, VALIDATED = "71.3", "39.8"


@pytest.fixture
def validated(assessment, reviewer):
    reviewer.first_name, reviewer.last_name = "Rania", "Haddad"
    reviewer.save()
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=2)})
    assessment_submit(assessment=assessment)
    assessment_save_review(
        assessment=assessment,
        reviews={
            "C1": ReviewInput(value=Decimal(1), comment="The policy is a draft, not adopted."),
            "C5": ReviewInput(value=Decimal(0)),
            "C4": ReviewInput(comment="Agreed."),
        },
        actor=reviewer,
    )
    assessment_validate(assessment=assessment, actor=reviewer, comment="Sound work overall.")
    assessment.refresh_from_db()
    return assessment


def test_the_rule(validated, assessment):
    scores = assessment_scores(validated)
    assert scores.headline_kind == "validated" and scores.headline is scores.validated
    assert (
        round(float(scores.self_assessed.score), 1),
        round(float(scores.headline.score), 1),
    ) == (
        71.3,
        39.8,
    )
    assert scores.headline.band.label == "Low" and scores.headline.passed is False
    assert scores.self_assessed.band.label == "Middle" and scores.self_assessed.passed is True


def test_a_draft_is_read_as_self_assessed(assessment):
    scores = assessment_scores(assessment)
    assert scores.headline_kind == "self_assessed" and scores.validated is None


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer"])
def test_dashboard(client, request, persona, validated):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("dashboard")).content.decode()
    assert f"{VALIDATED} %" in page and f"{SELF} %" not in page


def test_results_page_headline(client, dean, validated):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[validated.pk])).content.decode()
    headline = re.search(r'class="figure headline">(.*?)</div>', page, re.S).group(1)
    assert "Validated score" in headline and f"{VALIDATED} %" in headline
    assert "Low" in page and "Not passed" in page


def test_review_queue(client, reviewer, validated):
    client.force_login(reviewer)
    page = client.get(reverse("assessments:review_queue"), {"status": "validated"})
    assert f"{VALIDATED} %" in page.content.decode()


def test_comparison_drill_down_benchmarks_and_trend(client, reviewer, validated):
    client.force_login(reviewer)
    page = client.get(reverse("benchmarks:compare")).content.decode()
    assert "39,8" in page or VALIDATED in page
    assert SELF not in page
    drill = client.get(reverse("benchmarks:drill_down", args=[validated.pk, "D1"])).content.decode()
    assert "55.6" in drill and "77.8" not in drill
    summary = ScoreSummary.objects.get(assessment=validated)
    assert (summary.source, summary.overall) == ("validated", Decimal("39.814815"))
    (point,) = institution_trend(assessment=validated).points
    assert round(float(point.overall), 1) == 39.8


def test_every_report_format_and_the_command(validated, dean, tmp_path):
    with translation.override("en"):
        context = build_report_context(
            assessment=validated, audience=Audience.of(dean), language="en"
        )
    name, content_type, content = EXPORTERS["json"].render(context)
    assert (name, content_type) == ("home-test-rubric-2026-en.json", "application/json")
    body = json.loads(content.decode("utf-8"))
    _name, _type, xlsx = EXPORTERS["xlsx"].render(context)
    _name, _type, pdf = EXPORTERS["pdf"].render(context)
    assert body["overall"]["score"] == 39.8 and body["headline"] == "validated"
    assert body["self_assessed"]["overall"]["score"] == 71.3
    assert body["validated"]["overall"]["score"] == 39.8

    summary = openpyxl.load_workbook(io.BytesIO(xlsx))["Summary"]
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2, max_col=2)}
    assert values["Overall score"] == 0.398 and values["Band"] == "Low"

    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        # The headline figures lead the council summary, the page after the cover.
        summary_page = text.split("Council summary", 1)[1].split("Top three actions", 1)[0]
        assert "Validated score" in summary_page and f"{VALIDATED} %" in summary_page

    stdout = StringIO()
    call_command("assessment_score", validated.pk, "--json", stdout=stdout)
    printed = json.loads(stdout.getvalue())
    assert printed["overall"]["score"] == 39.8 and printed["headline"] == "validated"
    assert printed["self_assessed"] == body["self_assessed"]
    assert {key: printed[key] for key in ("overall", "domains", "criteria")} == {
        key: body[key] for key in ("overall", "domains", "criteria")
    }
    table = StringIO()
    call_command("assessment_score", validated.pk, stdout=table)
    assert f"Overall     {VALIDATED} %" in table.getvalue()


# --- the reviewer's judgement is visible -----------------------------------------------------


def test_json_criteria_carry_both_levels_and_the_comment(validated):
    stdout = StringIO()
    call_command("assessment_score", validated.pk, "--json", stdout=stdout)
    criteria = {c["code"]: c for c in json.loads(stdout.getvalue())["criteria"]}
    assert criteria["C1"] | {} == {
        "code": "C1",
        "value": 1,
        "na": False,
        "score": 33.3,
        "self_value": 3,
        "reviewed_value": 1,
        "reviewer_comment": "The policy is a draft, not adopted.",
    }
    assert (criteria["C3"]["self_value"], criteria["C3"]["reviewed_value"]) == ("na", None)
    assert (
        criteria["C4"]["reviewer_comment"] == "Agreed." and criteria["C2"]["reviewer_comment"] == ""
    )


def test_results_page_shows_levels_comments_and_who_validated(client, dean, validated):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[validated.pk])).content.decode()
    table = page.split('id="criteria"', 1)[1]
    row = re.search(r'<bdi class="code">C1</bdi>.*?</tr>', table, re.S).group(0)
    # Self-assessed Level 3, validated Level 1, and the reviewer's comment, on the same row.
    assert "Level 3" in row and "Level 1" in row and "The policy is a draft, not adopted." in row
    row = re.search(r'<bdi class="code">C2</bdi>.*?</tr>', table, re.S).group(0)
    assert "Level 2" in row and "Level 1" not in row  # no reviewer level: nothing to show
    assert "Sound work overall." in page
    assert "Rania Haddad" in page


def test_excel_scores_sheet_shows_both_levels(validated, dean):
    with translation.override("en"):
        context = build_report_context(
            assessment=validated, audience=Audience.of(dean), language="en"
        )
    _name, _type, xlsx = EXPORTERS["xlsx"].render(context)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = workbook["Scores"]
    headers = [c.value for c in sheet[1]]
    rows = {row[1].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2)}
    c1 = dict(zip(headers, rows["C1"], strict=True))
    assert c1["Self-assessed level"] == "Level 3" and c1["Validated level"] == "Level 1"
    assert c1["Reviewer's comment"] == "The policy is a draft, not adopted."
    assert dict(zip(headers, rows["C2"], strict=True))["Validated level"] in (None, "")
    summary = {
        row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2, max_col=2)
    }
    assert summary["Validated by"] == "Rania Haddad"
    assert summary["Reviewer's comment"] == "Sound work overall."


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_cover_and_appendix_show_the_review(validated, dean, tmp_path):
    with translation.override("en"):
        context = build_report_context(
            assessment=validated, audience=Audience.of(dean), language="en"
        )
    _name, _type, pdf = EXPORTERS["pdf"].render(context)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    cover = text.split("\f", 1)[0]
    assert "Rania Haddad" in cover and "Sound work overall." in cover
    appendix = text.split("Appendix: every criterion", 1)[1]
    assert "Self-assessed" in appendix and "Validated" in appendix
    c1 = next(line for line in appendix.splitlines() if line.startswith("C1 "))
    assert re.search(r"Level 3\s+Level 1", c1)
    assert "The policy is a draft, not" in appendix
