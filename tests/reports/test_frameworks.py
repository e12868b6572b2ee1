"""Framework options end to end: a profile rubric (overall: none), a range-normalised
rubric and a domain gate, on every surface that shows a result."""

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.selectors import assessment_score_json
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
)
from qa_tool.benchmarks.models import ScoreSummary

from ..factories import acode_doc, import_doc, rubric_doc
from .test_reports import needs_poppler, pdf_text, render

# The profile below, level by level (1..5), then N/A and not answered.
PROFILE_ALL = [0, 0, 1, 0, 1, 1, 1]


def _submitted(institution, cycle, officer, doc, answers, submit=True):
    version = import_doc(doc)
    assessment, _ = assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    assessment_save_answers(
        assessment=assessment,
        answers={
            code: AnswerInput(na=True) if value == "na" else AnswerInput(value=value)
            for code, value in answers.items()
        },
    )
    if submit:
        assessment_submit(assessment=assessment)
    action_plan_generate(assessment=assessment, actor=officer)
    return assessment


@pytest.fixture
def profiled(institution, cycle, officer):
    """A draft on a profile rubric: A1 = 5, A2 = 3, B1 = N/A, B2 unanswered."""
    return _submitted(
        institution,
        cycle,
        officer,
        acode_doc(overall="none"),
        {"A1": 5, "A2": 3, "B1": "na"},
        submit=False,
    )


@pytest.fixture
def gated(institution, cycle, officer):
    """The test rubric with D2 gated at 50 % and the upper bands requiring a pass; the
    answers score 63.0 % (pass rule: 60 %) with D2 at (1*1/3 + 3*1/3) / 4 = 33.3 %."""
    doc = rubric_doc(slug="gated-rubric")
    doc["bands"][1]["requires_pass"] = True
    doc["bands"][2]["requires_pass"] = True
    doc["domains"][1]["min_score"] = 50
    return _submitted(
        institution, cycle, officer, doc, {"C1": 3, "C2": 2, "C3": "na", "C4": 1, "C5": 1}
    )


# --- profile rubric -----------------------------------------------------------------------


def test_profile_score_json_has_no_overall(profiled):
    data = assessment_score_json(profiled)
    assert data["overall"] is None
    assert [level["count"] for level in data["profile"]["levels"]] == PROFILE_ALL[:5]
    assert (data["profile"]["na"], data["profile"]["unanswered"]) == (1, 1)
    assert data["domains"][0]["score"] is None
    assert data["domains"][0]["profile"]["levels"][2] == {"value": 3, "count": 1}
    out = StringIO()
    call_command("assessment_score", str(profiled.pk), "--json", stdout=out)
    assert json.loads(out.getvalue())["overall"] is None
    table = StringIO()
    call_command("assessment_score", str(profiled.pk), stdout=table)
    assert "1: 0 · 2: 0 · 3: 1 · 4: 0 · 5: 1 · N/A: 1 · not answered: 1" in table.getvalue()


def test_profile_results_page_shows_the_counts(client, dean, profiled):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[profiled.pk])).content.decode()
    assert "Level profile" in page
    assert "Overall score" not in page and "Band</span>" not in page
    assert "no peer benchmark of scores" in page
    profile = page[page.index('class="data profile"') :]
    profile = profile[: profile.index("</table>")]
    for level in ("Level 1", "Level 5", "N/A", "Not answered"):
        assert level in profile
    all_row = profile[profile.index("All criteria") :]
    counts = [int(cell.split("<")[0]) for cell in all_row.split('<td class="num">')[1:]]
    assert counts == PROFILE_ALL


def test_profile_results_page_is_not_for_another_institution(client, outsider, profiled):
    client.force_login(outsider)
    assert client.get(reverse("assessments:score", args=[profiled.pk])).status_code == 404


def test_profile_json_and_excel_reports(profiled):
    body = json.loads(render(profiled, "json"))
    assert body["overall"] is None and body["profile"]["unanswered"] == 1
    assert body["benchmark"]["available"] is False
    assert [a["gain"] for a in body["action_plan"]] == [None]  # A2 below the top; no score
    workbook = openpyxl.load_workbook(io.BytesIO(render(profiled, "xlsx")))
    summary = workbook["Summary"]
    rows = [[c.value for c in row] for row in summary.iter_rows()]
    facts = {row[0] for row in rows}
    assert "Overall score" not in facts and "Band" not in facts and "Points" not in facts
    header = next(row for row in rows if row[0] == "Level profile")
    assert header[1:8] == [
        "Level 1",
        "Level 2",
        "Level 3",
        "Level 4",
        "Level 5",
        "N/A",
        "Not answered",
    ]
    assert next(row for row in rows if row[0] == "All criteria")[1:8] == PROFILE_ALL
    assert next(row for row in rows if row[0] == "A Institution policy")[1:8] == [
        0,
        0,
        1,
        0,
        1,
        0,
        0,
    ]
    assert summary._charts == []


@needs_poppler
def test_profile_pdf_shows_the_counts(profiled, tmp_path):
    text = pdf_text(render(profiled, "pdf"), tmp_path)
    assert "Level profile" in text and "Overall score" not in text
    all_line = next(line for line in text.splitlines() if "All criteria" in line)
    assert all_line.split()[-7:] == [str(n) for n in PROFILE_ALL]


def test_profile_stores_no_score_and_lists_show_a_dash(client, dean, reviewer, profiled):
    assessment_save_answers(assessment=profiled, answers={"B2": AnswerInput(value=2)})
    assessment_submit(assessment=profiled)
    summary = ScoreSummary.objects.get(assessment=profiled)
    assert summary.overall is None and summary.band_position is None
    assert list(summary.domains.values_list("score", flat=True)) == [None, None]
    client.force_login(reviewer)
    queue = client.get(reverse("assessments:review_queue")).content.decode()
    compare = client.get(
        reverse("benchmarks:compare"),
        {"version": profiled.rubric_version_id, "cycle": profiled.cycle.name},
    )
    assert compare.status_code == 200 and "Home University" in compare.content.decode()
    assert compare.context["stats"]["overall"].n == 0  # nothing of it in peer statistics
    body = queue[queue.index("<tbody>") :]
    row = body[body.index("ACODE-like") :]
    row = row[: row.index("</tr>")]
    assert row.endswith('<td class="num">—</td>\n    ') and " %" not in row
    client.force_login(dean)
    dashboard = client.get(reverse("dashboard")).content.decode()
    row = dashboard[dashboard.index("ACODE-like") :]
    row = row[: row.index("</tr>")]
    # Completion is a share of criteria answered; the score and band cells are dashes.
    assert row.count(" %") == 1 and '<td class="num">—</td>' in row and "<td>—</td>" in row
    client.force_login(dean)
    plan = client.get(reverse("actions:plan", args=[profiled.pk])).content.decode()
    assert "A2" in plan and "—" in plan


# --- range ----------------------------------------------------------------------------------


def test_a_range_rubric_at_its_lowest_level_scores_zero(institution, cycle, officer):
    lowest = _submitted(
        institution, cycle, officer, acode_doc(), {"A1": 1, "A2": 1, "B1": 1, "B2": 1}
    )
    data = assessment_score_json(lowest)
    assert data["overall"]["score"] == 0.0
    # Points stay weight * value: 7 of 35.
    assert (data["overall"]["points"], data["overall"]["points_possible"]) == (7, 35)
    assert ScoreSummary.objects.get(assessment=lowest).overall == 0


# --- domain gate ----------------------------------------------------------------------------


def test_a_failing_gate_in_json(gated):
    overall = assessment_score_json(gated)["overall"]
    assert overall["score"] == 63.0
    assert overall["passed"] is False
    assert overall["failed_domains"] == ["D2"] and overall["failed_critical"] == []
    assert overall["band"] == "Low"  # Middle (50 %) requires a pass


def test_a_failing_gate_on_the_results_page_and_reports(client, dean, gated, tmp_path):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[gated.pk])).content.decode()
    assert "Domains below their minimum" in page and "<bdi>D2</bdi>" in page
    assert "Not passed" in page
    workbook = openpyxl.load_workbook(io.BytesIO(render(gated, "xlsx")))
    facts = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(max_col=2)}
    assert facts["Domains below their minimum"] == "D2" and facts["Result"] == "Not passed"
    assert json.loads(render(gated, "json"))["overall"]["failed_domains"] == ["D2"]


@needs_poppler
def test_a_failing_gate_in_the_pdf(gated, tmp_path):
    text = pdf_text(render(gated, "pdf"), tmp_path)
    assert "Domains below their minimum" in text and "D2" in text
