"""``evidence_required`` criteria: every road that submits (wizard, offline workbook, portable
file) is refused while such a criterion has no evidence link or file, unless it is N/A."""

from __future__ import annotations

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from qa_tool.assessments.models import Assessment, AuditEvent, Response, Status
from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.selectors import criteria_missing_evidence
from qa_tool.assessments.services import (
    AnswerInput,
    AssessmentError,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
    evidence_add,
    submission_problems,
)
from reports.workbook import WorkbookError, export_workbook, import_workbook

from ..factories import import_doc, rubric_doc

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# C1 and C3 require evidence; C3 may be answered N/A.
C1_REFUSAL = (
    "C1: Criterion one: the rubric requires evidence for this criterion; add at least one "
    "evidence link or file."
)
C3_REFUSAL = (
    "C3: Criterion three: the rubric requires evidence for this criterion; add at least one "
    "evidence link or file."
)
COMPLETE = {
    "C1": AnswerInput(value=3),
    "C2": AnswerInput(value=2),
    "C3": AnswerInput(na=True),
    "C4": AnswerInput(value=1),
    "C5": AnswerInput(value=0),
}


def evidence_doc():
    doc = rubric_doc(slug="evidence-rubric")
    criteria = doc["domains"][0]["criteria"]
    criteria[0]["evidence_required"] = True  # C1
    criteria[2]["evidence_required"] = True  # C3, N/A allowed
    return doc


@pytest.fixture
def version(db):
    return import_doc(evidence_doc())


@pytest.fixture
def draft(institution, version, cycle):
    assessment, _ = assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    return assessment


@pytest.fixture
def complete(draft):
    """Every criterion answered, C3 N/A, no evidence anywhere."""
    assessment_save_answers(assessment=draft, answers=COMPLETE)
    return draft


def status_events(assessment) -> int:
    return AuditEvent.objects.filter(assessment=assessment, action=AuditEvent.Action.STATUS).count()


def state(assessment) -> tuple:
    return (
        Assessment.objects.get(pk=assessment.pk).status,
        sorted(
            Response.objects.filter(assessment=assessment).values_list(
                "criterion__code", "value", "is_na", "evidence_links", "revision"
            )
        ),
        AuditEvent.objects.filter(assessment=assessment).count(),
    )


# --- the one rule ------------------------------------------------------------------------------


def test_the_rubric_names_the_criteria_that_require_evidence(version):
    assert version.evidence_required_codes == {"C1", "C3"}


def test_na_is_excepted_and_a_level_is_not(complete):
    assert [c.code for c in criteria_missing_evidence(complete)] == ["C1"]
    assessment_save_answers(assessment=complete, answers={"C3": AnswerInput(value=2)})
    assert [c.code for c in criteria_missing_evidence(complete)] == ["C1", "C3"]
    assert submission_problems(complete) == [C1_REFUSAL, C3_REFUSAL]


def test_a_link_or_a_file_is_evidence_and_blank_lines_are_not(complete):
    assessment_save_answers(assessment=complete, answers={"C1": AnswerInput(value=3, links=" \n ")})
    assert [c.code for c in criteria_missing_evidence(complete)] == ["C1"]
    assessment_save_answers(
        assessment=complete, answers={"C1": AnswerInput(value=3, links="https://example.org/a")}
    )
    assert criteria_missing_evidence(complete) == []
    assessment_save_answers(assessment=complete, answers={"C1": AnswerInput(value=3, links="")})
    evidence_add(
        assessment=complete, criterion_code="C1", upload=SimpleUploadedFile("policy.pdf", PDF)
    )
    assert criteria_missing_evidence(complete) == []


def test_an_unanswered_criterion_still_needs_its_evidence(draft):
    problems = submission_problems(draft)
    assert problems[0].startswith("Every criterion must be answered before submitting")
    assert problems[1:] == [C1_REFUSAL, C3_REFUSAL]


def test_a_rubric_without_the_key_needs_no_evidence(assessment):
    assert assessment.rubric_version.evidence_required_codes == frozenset()
    assert criteria_missing_evidence(assessment) == []


def test_the_refusal_is_located_by_code_and_names_the_text_in_the_language(complete):
    with translation.override("fr"):
        (problem,) = submission_problems(complete)
    assert problem.where == "C1"
    assert problem.what.startswith("Criterion one (fr)")


# --- the wizard --------------------------------------------------------------------------------


def step_url(assessment, step):
    return reverse("assessments:fill_step", args=[assessment.pk, step])


def test_wizard_submit_is_refused_and_nothing_changes(client, officer, complete):
    client.force_login(officer)
    before = state(complete)
    response = client.post(step_url(complete, "review"), {"submit": "1"}, follow=True)
    page = response.content.decode()
    assert C1_REFUSAL in page
    assert "C3: Criterion three" not in page  # N/A
    assert state(complete) == before and status_events(complete) == 0


def test_review_step_lists_missing_evidence_before_the_submit_button(client, officer, complete):
    client.force_login(officer)
    page = client.get(step_url(complete, "review")).content.decode()
    assert page.index(C1_REFUSAL) < page.index('name="submit"')
    assert page.count("Evidence required") == 1  # C1's row; C3 is N/A


def test_the_criterions_step_says_evidence_is_required(client, officer, complete):
    client.force_login(officer)
    page = client.get(step_url(complete, "D1")).content.decode()
    c1 = page[page.index('id="criterion-C1"') : page.index('id="criterion-C2"')]
    c2 = page[page.index('id="criterion-C2"') : page.index('id="criterion-C3"')]
    assert "evidence required" in c1 and "The rubric requires evidence" in c1
    assert "evidence required" not in c2


def test_wizard_submit_with_a_link_succeeds(client, officer, complete):
    assessment_save_answers(
        assessment=complete,
        answers={"C1": AnswerInput(value=3, links="https://example.org/policy")},
    )
    client.force_login(officer)
    response = client.post(step_url(complete, "review"), {"submit": "1"}, follow=True)
    assert "submitted for review" in response.content.decode()
    complete.refresh_from_db()
    assert complete.status == Status.SUBMITTED and status_events(complete) == 1


def test_wizard_submit_with_a_file_succeeds(client, officer, complete):
    evidence_add(
        assessment=complete, criterion_code="C1", upload=SimpleUploadedFile("policy.pdf", PDF)
    )
    client.force_login(officer)
    client.post(step_url(complete, "review"), {"submit": "1"})
    complete.refresh_from_db()
    assert complete.status == Status.SUBMITTED


def test_the_service_refuses_whoever_calls_it(complete):
    with pytest.raises(AssessmentError) as caught:
        assessment_submit(assessment=complete)
    assert caught.value.problems == [C1_REFUSAL]
    assert Assessment.objects.get(pk=complete.pk).status == Status.DRAFT


# --- the offline workbook ----------------------------------------------------------------------

# Rows: C1..C5 on rows 2..6; E is the level, G the evidence links.
FILLED = {"E2": "Level 3", "E3": "Level 2", "E4": "N/A", "E5": "Level 1", "E6": "Level 0"}


def filled_workbook(assessment, **cells) -> bytes:
    wb = openpyxl.load_workbook(
        io.BytesIO(export_workbook(assessment=assessment, prefilled=True, language="en"))
    )
    for ref, value in {**FILLED, **cells}.items():
        wb["Answers"][ref] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_workbook_marks_the_criteria_that_require_evidence(draft):
    wb = openpyxl.load_workbook(
        io.BytesIO(export_workbook(assessment=draft, prefilled=True, language="en"))
    )
    ws = wb["Answers"]
    assert [ws[f"B{row}"].value for row in range(2, 7)] == ["C1", "C2", "C3", "C4", "C5"]
    assert ws["D2"].value.startswith("Evidence required: submitting needs at least one")
    assert ws["D4"].value.startswith("Evidence required")
    assert not (ws["D3"].value or "").startswith("Evidence required")


def test_workbook_upload_with_submit_is_refused_and_saves_nothing(client, officer, draft):
    client.force_login(officer)
    before = state(draft)
    response = client.post(
        reverse("reports:workbook_upload", args=[draft.pk]),
        {
            "file": SimpleUploadedFile("filled.xlsx", filled_workbook(draft), content_type=XLSX),
            "submit": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 problem found: nothing was changed" in page
    assert "Criterion one: the rubric requires evidence" in page
    assert state(draft) == before  # not even the levels


def test_workbook_upload_with_submit_and_a_link_submits(client, officer, draft):
    client.force_login(officer)
    data = filled_workbook(draft, G2="https://example.org/policy")
    response = client.post(
        reverse("reports:workbook_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("filled.xlsx", data, content_type=XLSX), "submit": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:score", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert Response.objects.get(assessment=draft, criterion__code="C1").links == [
        "https://example.org/policy"
    ]


def test_workbook_upload_without_submit_saves_and_stays_a_draft(officer, draft):
    assert import_workbook(data=filled_workbook(draft), user=officer) == 5
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_workbook_submit_counts_a_file_attached_online(officer, draft):
    evidence_add(
        assessment=draft, criterion_code="C1", upload=SimpleUploadedFile("policy.pdf", PDF)
    )
    import_workbook(data=filled_workbook(draft), user=officer, submit=True)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_import_workbook_command_with_submit_is_refused(officer, draft, tmp_path):
    path = tmp_path / "filled.xlsx"
    path.write_bytes(filled_workbook(draft))
    before = state(draft)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--user", "officer", "--submit", stderr=err)
    assert "C1: Criterion one: the rubric requires evidence" in err.getvalue()
    assert state(draft) == before
    with pytest.raises(WorkbookError):
        import_workbook(data=filled_workbook(draft), user=officer, submit=True)


# --- the portable file -------------------------------------------------------------------------


def portable(status="submitted", c1_links=None):
    c1 = {"value": 3, "justification": ""}
    if c1_links is not None:
        c1["evidence_links"] = c1_links
    return {
        "institution": "HOME",
        "rubric": "evidence-rubric",
        "version": "1",
        "subject": None,
        "cycle": "2026",
        "status": status,
        "responses": {
            "C1": c1,
            "C2": {"value": 2},
            "C3": {"value": "na"},
            "C4": {"value": 1},
            "C5": {"value": 0},
        },
    }


def test_a_submitted_file_without_evidence_creates_nothing(institution, version, cycle):
    with pytest.raises(AssessmentError) as caught:
        assessment_import(data=portable())
    assert caught.value.problems == [C1_REFUSAL]
    assert not Assessment.objects.exists() and not AuditEvent.objects.exists()


def test_a_submitted_file_over_an_existing_draft_changes_nothing(draft):
    before = state(draft)
    with pytest.raises(AssessmentError):
        assessment_import(data=portable())
    assert state(draft) == before


def test_the_import_command_prints_the_refusal(institution, version, cycle, tmp_path):
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(portable()), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_assessment", str(path), stderr=err)
    assert "Criterion one: the rubric requires evidence" in err.getvalue()
    assert not Assessment.objects.exists()


def test_a_submitted_file_with_a_link_is_submitted(institution, version, cycle):
    assessment = assessment_import(data=portable(c1_links=["https://example.org/policy"]))
    assert assessment.status == Status.SUBMITTED


def test_a_draft_file_needs_no_evidence(institution, version, cycle):
    assert assessment_import(data=portable(status="draft")).status == Status.DRAFT


# --- the rubric's page -------------------------------------------------------------------------


def test_the_rubric_page_marks_the_criteria_that_require_evidence(client, officer, version):
    client.force_login(officer)
    page = client.get(reverse("rubrics:version", args=["evidence-rubric", "1"])).content.decode()
    c1 = page[page.index('id="criterion-C1"') : page.index('id="criterion-C2"')]
    c2 = page[page.index('id="criterion-C2"') : page.index('id="criterion-C3"')]
    c3 = page[page.index('id="criterion-C3"') : page.index('id="criterion-C4"')]
    assert "evidence required" in c1 and "evidence required" in c3
    assert "evidence required" not in c2
