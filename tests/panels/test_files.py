"""The portable file with raters, the score JSON's panel keys, and the perspective rule
on the results page and the reports."""

import json
import shutil
import subprocess
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from qa_tool.assessments.models import Assessment, AuditEvent
from qa_tool.assessments.portable import assessment_export, assessment_import
from qa_tool.assessments.selectors import assessment_score_json, responses_by_code
from qa_tool.assessments.services import AssessmentError
from qa_tool.benchmarks.audience import Audience
from qa_tool.panels.models import Panel, Rater
from reports.context import build_report_context
from reports.json_report import report_json
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx
from rubrics.document import RubricFileError

from ..factories import import_doc, rubric_doc

RATERS = {
    "Amina": {"C1": 3, "C2": 2, "C3": "na", "C4": 0, "C5": 1},
    "Bruno": {"C1": 1, "C2": 2, "C3": "na", "C4": 2, "C5": 1},
    "Chen": {"C1": 3, "C2": 3, "C3": 2, "C4": 1},
}


def file(**extra):
    return {
        "institution": "HOME",
        "rubric": "test-rubric",
        "version": "1",
        "cycle": "2026",
        "status": "draft",
        "raters": RATERS,
        **extra,
    }


def levels(assessment):
    return {
        code: ("na" if r.is_na else int(r.value))
        for code, r in responses_by_code(assessment).items()
    }


def test_import_computes_the_majority_and_keeps_every_rating(institution, rubric_version):
    assessment = assessment_import(data=file())
    # C1 3,1,3 -> 3; C2 2,2,3 -> 2; C3 na,na,2 -> na; C4 0,2,1 -> 0 (tie: lowest); C5 1,1 -> 1.
    assert levels(assessment) == {"C1": 3, "C2": 2, "C3": "na", "C4": 0, "C5": 1}
    panel = Panel.objects.get(assessment=assessment)
    assert [r.label for r in panel.raters.order_by("pk")] == ["Amina", "Bruno", "Chen"]
    assert all(r.is_submitted and r.user is None for r in panel.raters.all())
    assert panel.raters.get(label="Chen").ratings.count() == 4
    # The same file again changes nothing.
    events = AuditEvent.objects.count()
    assessment_import(data=file())
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # C1 3,1,3; C2 2,2,3; C3 na,na,2; C4 0,2,1; C5 1,1
        ("median", {"C1": 3, "C2": 2, "C3": "na", "C4": 1, "C5": 1}),
        ("minimum", {"C1": 1, "C2": 2, "C3": 2, "C4": 0, "C5": 1}),
    ],
)
def test_import_follows_the_rubrics_rule(institution, db, rule, expected):
    import_doc(rubric_doc(consensus=rule))
    assert levels(assessment_import(data=file())) == expected


def test_rubric_consensus_key(db):
    version = import_doc(rubric_doc(consensus="median"))
    assert version.content["consensus"] == "median"
    # The default is left out, so versions imported before the key keep their hash.
    assert "consensus" not in import_doc(rubric_doc(slug="other", consensus="majority")).content
    with pytest.raises(RubricFileError, match="consensus"):
        import_doc(rubric_doc(slug="third", consensus="mode"))


def test_bad_raters_are_refused_with_locations(institution, rubric_version):
    bad = file(raters={"Amina": {"C1": 9, "C2": "na", "XX": 1}, "Bruno": [1]})
    with pytest.raises(AssessmentError) as caught:
        assessment_import(data=bad)
    text = "\n".join(caught.value.problems)
    assert "raters.Bruno" in text
    bad = file(raters={"Amina": {"C1": 9, "C2": "na", "XX": 1}})
    with pytest.raises(AssessmentError) as caught:
        assessment_import(data=bad)
    wheres = "\n".join(caught.value.problems)
    assert "raters.Amina.C1" in wheres and "raters.Amina.C2" in wheres
    assert "raters.Amina.XX" in wheres
    assert not Assessment.objects.exists()


def test_export_carries_the_raters_back(institution, rubric_version):
    assessment = assessment_import(data=file())
    exported = assessment_export(assessment)
    assert exported["raters"] == RATERS
    assert exported["responses"]["C4"]["value"] == 0
    # Exported and imported again: nothing changes.
    events = AuditEvent.objects.count()
    assessment_import(data=json.loads(json.dumps(exported)))
    assert AuditEvent.objects.count() == events


def test_score_json_adds_ratings_agreement_raters_and_alpha(institution, rubric_version):
    assessment = assessment_import(data=file())
    out = StringIO()
    call_command("assessment_score", str(assessment.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == assessment_score_json(assessment)
    assert data["raters"] == 3
    criteria = {c["code"]: c for c in data["criteria"]}
    assert criteria["C1"]["ratings"] == [3, 1, 3] and criteria["C1"]["agreement"] == 66.7
    assert criteria["C3"]["ratings"] == ["na", "na", 2]
    assert criteria["C5"]["ratings"] == [1, 1, None] and criteria["C5"]["agreement"] == 100.0
    # Ordinal alpha over the levels (N/A missing), computed by the krippendorff package.
    assert isinstance(data["alpha"], float) and -1 <= data["alpha"] <= 1
    assert round(data["alpha"], 3) == data["alpha"]
    # The existing keys stay.
    assert {"overall", "domains", "headline", "self_assessed", "validated"} <= set(data)


def test_score_json_without_a_panel_is_unchanged(assessment):
    assert "raters" not in assessment_score_json(assessment)


def test_alpha_is_null_when_undefined(institution, rubric_version):
    assessment = assessment_import(data=file(raters={"Solo": {"C1": 2}}))
    assert assessment_score_json(assessment)["alpha"] is None


PERSPECTIVE_RATERS = {
    "S1": {"C1": 3, "C2": 3, "C4": 3, "C5": 3},
    "S2": {"C1": 3, "C2": 3, "C4": 3, "C5": 3},
    "S3": {"C1": 2, "C2": 3, "C4": 1, "C5": 3},
    "T1": {"C1": 0, "C2": 0, "C4": 0, "C5": 0},
    "T2": {"C1": 0, "C2": 0, "C4": 0, "C5": 0},
}


def _with_perspectives(students=3):
    assessment = assessment_import(data=file(raters=PERSPECTIVE_RATERS))
    Rater.objects.filter(label__in=["S1", "S2", "S3"][:students]).update(perspective="students")
    Rater.objects.filter(label__in=["T1", "T2"]).update(perspective="teaching")
    return assessment


def test_perspectives_on_the_results_page_and_reports(client, officer, dean, rubric_version):
    assessment = _with_perspectives()
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert "Scores by perspective" in page
    assert "Students" in page and "Teaching staff" not in page  # two teachers: withheld
    context = build_report_context(assessment=assessment, audience=Audience.of(officer))
    (students,) = context.perspectives
    assert students.raters == 3 and students.overall == 100
    data = report_json(context)
    assert [p["perspective"] for p in data["perspectives"]] == ["students"]
    assert data["perspectives"][0]["domains"] == {"D1": 100.0, "D2": 100.0}


def test_no_perspective_below_three_raters(client, dean, rubric_version):
    assessment = _with_perspectives(students=2)
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert "Scores by perspective" not in page
    assert (
        report_json(build_report_context(assessment=assessment, audience=Audience.of(dean)))[
            "perspectives"
        ]
        == []
    )


def test_perspectives_in_excel_and_pdf(officer, rubric_version, tmp_path):
    assessment = _with_perspectives()
    context = build_report_context(assessment=assessment, audience=Audience.of(officer))
    ws = load_workbook(BytesIO(render_xlsx(context)))["Perspectives"]
    assert ws.cell(row=1, column=3).value == "Students (3 raters)"
    assert [ws.cell(row=r, column=3).value for r in (2, 3, 4)] == [1.0, 1.0, 1.0]
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(render_pdf(context))
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Scores by perspective" in text and "Students" in text


def test_rater_names_are_bounded(institution, rubric_version):
    for name in ("", " ", "x" * 101, "Am\x00ina"):
        with pytest.raises(AssessmentError) as caught:
            assessment_import(data=file(raters={name: {"C1": 1}}))
        assert "a rater's name" in "\n".join(caught.value.problems)
    assert not Assessment.objects.exists()
