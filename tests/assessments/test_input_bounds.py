"""No input hangs, crashes or floods a worker: levels, texts and NULs on every write path.

Each hostile value is posted as a person (or a script) could; the reply must be a clear
message within a small time, with nothing saved (or, on a wizard step, only the criteria
that were fine, as the wizard saves a step).
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qa_tool.assessments.models import Assessment, AuditEvent, Evidence, Response, Status
from qa_tool.assessments.services import (
    AnswerInput,
    AssessmentError,
    ReviewInput,
    assessment_return,
    assessment_save_answers,
    assessment_save_review,
    assessment_submit,
    assessment_validate,
    evidence_add,
)
from qa_tool.core.bounds import COMMENT_MAX, JUSTIFICATION_MAX, LINKS_MAX

from .test_wizard_safety import loaded_form, row, step_url

# Every one ties a worker up, gives a 500, or is no level as the scale writes it.
HOSTILE_LEVELS = {
    "huge-exponent": "1e999999999",
    "nan": "NaN",
    "snan": "sNaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "minus-zero": "-0",
    "exponent": "1e3",
    "5000-digits": "9" * 5000,
}
QUICK = 3.0  # seconds: generous for a slow CI machine, far below a tied-up worker


def snapshot(assessment: Assessment) -> list[tuple]:
    return list(
        Response.objects.filter(assessment=assessment)
        .order_by("criterion__code")
        .values_list(
            "criterion__code",
            "value",
            "is_na",
            "justification",
            "evidence_links",
            "reviewed_value",
            "review_comment",
            "revision",
        )
    )


@pytest.fixture
def draft(assessment, officer, client):
    client.force_login(officer)
    return assessment


@pytest.fixture
def submitted(assessment):
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=2)})
    assessment_submit(assessment=assessment)
    return assessment


def timed_post(client, url, data, **extra):
    started = time.monotonic()
    response = client.post(url, data, **extra)
    assert time.monotonic() - started < QUICK
    return response


# --- 1. numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE_LEVELS.values(), ids=HOSTILE_LEVELS.keys())
def test_a_hostile_level_in_the_wizard_is_named_and_only_the_rest_of_the_step_saved(
    client, draft, raw
):
    data = loaded_form(client, draft)
    data.update({"D1-C1-level": raw, "D1-C2-justification": "saved with the step"})
    response = timed_post(client, step_url(draft), data)
    assert response.status_code == 200
    assert "Some levels were not recognised: C1" in response.content.decode()
    assert row("C1").value == Decimal(3) and row("C1").revision == 1
    assert row("C2").justification == "saved with the step"


@pytest.mark.parametrize("raw", HOSTILE_LEVELS.values(), ids=HOSTILE_LEVELS.keys())
def test_autosave_refuses_a_hostile_level_with_400_and_saves_nothing(client, draft, raw):
    data = loaded_form(client, draft)
    data.update({"D1-C1-level": raw, "D1-C2-justification": "not saved"})
    before = snapshot(draft)
    response = timed_post(client, step_url(draft), data, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "problems": ["Some levels were not recognised: C1"],
    }
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    "value",
    [Decimal("1e999999999"), Decimal("NaN"), Decimal("Infinity"), Decimal(10**5000), 1.5e300],
    ids=["huge-exponent", "nan", "infinity", "5000-digits", "float"],
)
def test_the_service_refuses_an_unbounded_level_from_any_road(assessment, value):
    before = snapshot(assessment)
    started = time.monotonic()
    with pytest.raises(AssessmentError) as refused:
        assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=value)})
    assert time.monotonic() - started < QUICK
    assert [p.where for p in refused.value.problems] == ["C5"]
    assert snapshot(assessment) == before


@pytest.mark.parametrize("raw", HOSTILE_LEVELS.values(), ids=HOSTILE_LEVELS.keys())
def test_a_hostile_reviewer_level_is_a_form_error_and_nothing_saved(
    client, reviewer, submitted, raw
):
    client.force_login(reviewer)
    before = snapshot(submitted)
    data = {f"C{i}-level": "" for i in range(1, 6)} | {f"C{i}-comment": "" for i in range(1, 6)}
    data.update({"C2-level": raw, "C2-comment": "not saved", "overall_comment": ""})
    response = timed_post(client, reverse("assessments:review", args=[submitted.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["C2-level"]
    assert snapshot(submitted) == before


def test_the_review_service_refuses_an_unbounded_level(submitted, reviewer):
    before = snapshot(submitted)
    with pytest.raises(AssessmentError) as refused:
        assessment_save_review(
            assessment=submitted,
            reviews={"C2": ReviewInput(value=Decimal("1e999999999"))},
            actor=reviewer,
        )
    assert [p.where for p in refused.value.problems] == ["C2"]
    assert snapshot(submitted) == before


# --- 2. lengths and 3. NUL: the wizard --------------------------------------------------------

TOO_LONG = {
    "justification": ("x" * (JUSTIFICATION_MAX + 1), "Justification is longer than 10000"),
    "links": ("https://example.org/" + "x" * LINKS_MAX, "Evidence links is longer than 5000"),
}


@pytest.mark.parametrize("field", TOO_LONG)
@pytest.mark.parametrize("button", ["next", "save_draft"])
def test_an_over_long_text_is_refused_nothing_saved_and_the_typed_text_kept(
    client, draft, field, button
):
    text, message = TOO_LONG[field]
    data = loaded_form(client, draft)
    data.update({f"D1-C1-{field}": text, "D1-C2-justification": "not saved either", button: "1"})
    before = snapshot(draft)
    response = timed_post(client, step_url(draft), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"C1: {message}" in page
    assert text in page  # nothing typed is lost: the form shows it again
    assert snapshot(draft) == before


@pytest.mark.parametrize("field", ["justification", "links"])
def test_a_nul_in_the_wizard_is_refused_and_nothing_saved(client, draft, field):
    data = loaded_form(client, draft)
    data.update({f"D1-C1-{field}": "before\x00after", "save_draft": "1"})
    before = snapshot(draft)
    response = timed_post(client, step_url(draft), data)
    assert response.status_code == 200
    assert "contains a NUL character, which cannot be stored" in response.content.decode()
    assert snapshot(draft) == before


def test_autosave_refuses_an_over_long_or_nul_text_with_400(client, draft):
    data = loaded_form(client, draft)
    data.update({"D1-C1-justification": "x" * (JUSTIFICATION_MAX + 1), "D1-C2-links": "a\x00"})
    before = snapshot(draft)
    response = client.post(step_url(draft), data, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems == [
        "C1: Justification is longer than 10000 characters (10001)",
        "C2: Evidence links contains a NUL character, which cannot be stored",
    ]
    assert snapshot(draft) == before


def test_the_limits_themselves_are_accepted(client, draft):
    data = loaded_form(client, draft)
    links = ("https://example.org/" + "x" * 80 + "\n") * (LINKS_MAX // 101)
    data.update({"D1-C1-justification": "x" * JUSTIFICATION_MAX, "D1-C1-links": links})
    data["save_draft"] = "1"
    assert client.post(step_url(draft), data).status_code == 302
    assert len(row("C1").justification) == JUSTIFICATION_MAX


# --- 2. and 3.: the service, every road -------------------------------------------------------


@pytest.mark.parametrize(
    "answer, where",
    [
        (AnswerInput(value=1, justification="x" * (JUSTIFICATION_MAX + 1)), "C5"),
        (AnswerInput(value=1, links="https://example.org/\x00"), "C5"),
        (AnswerInput(value=1, justification="\x00"), "C5"),
        (AnswerInput(value=1, links="y" * (LINKS_MAX + 1)), "C5"),
    ],
    ids=["long-justification", "nul-links", "nul-justification", "long-links"],
)
@pytest.mark.parametrize("source", ["web", "file", "workbook", "demo"])
def test_save_answers_enforces_the_limits_for_every_source(assessment, answer, where, source):
    before, events = snapshot(assessment), AuditEvent.objects.count()
    with pytest.raises(AssessmentError) as refused:
        assessment_save_answers(assessment=assessment, answers={"C5": answer}, source=source)
    assert [p.where for p in refused.value.problems] == [where]
    assert snapshot(assessment) == before and AuditEvent.objects.count() == events


# --- the reviewer -----------------------------------------------------------------------------


def review_data(**extra):
    data = {f"C{i}-level": "" for i in range(1, 6)} | {f"C{i}-comment": "" for i in range(1, 6)}
    data["overall_comment"] = ""
    return data | extra


@pytest.mark.parametrize(
    "extra",
    [
        {"C2-comment": "x" * (COMMENT_MAX + 1)},
        {"C2-comment": "a\x00b"},
        {"overall_comment": "x" * (COMMENT_MAX + 1), "return": "1"},
        {"overall_comment": "please\x00", "return": "1"},
        {"overall_comment": "x" * (COMMENT_MAX + 1), "validate": "1"},
    ],
    ids=["long-comment", "nul-comment", "long-return", "nul-return", "long-validate"],
)
def test_the_reviewer_form_refuses_long_or_nul_comments(client, reviewer, submitted, extra):
    client.force_login(reviewer)
    before = snapshot(submitted)
    response = client.post(reverse("assessments:review", args=[submitted.pk]), review_data(**extra))
    assert response.status_code == 200 and response.context["form"].errors
    assert snapshot(submitted) == before
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize("comment", ["x" * (COMMENT_MAX + 1), "a\x00b"], ids=["long", "nul"])
def test_the_review_services_refuse_long_or_nul_comments(submitted, reviewer, comment):
    before = snapshot(submitted)
    with pytest.raises(AssessmentError) as refused:
        assessment_save_review(
            assessment=submitted, reviews={"C2": ReviewInput(comment=comment)}, actor=reviewer
        )
    assert refused.value.problems[0].where == "C2"
    for change in (assessment_return, assessment_validate):
        with pytest.raises(AssessmentError) as refused:
            change(assessment=submitted, actor=reviewer, comment=comment)
        assert "Comment to the institution" in str(refused.value)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.review_comment == ""
    assert snapshot(submitted) == before


# --- file names -------------------------------------------------------------------------------


def test_an_evidence_file_name_with_a_nul_is_refused(assessment):
    upload = SimpleUploadedFile("notes\x00.txt", b"plain text", content_type="text/plain")
    with pytest.raises(AssessmentError) as refused:
        evidence_add(assessment=assessment, criterion_code="C1", upload=upload)
    assert str(refused.value) == "The file name contains a NUL character, which cannot be stored"
    assert not Evidence.objects.exists()


def test_a_long_evidence_file_name_is_kept_within_its_column_with_its_extension(assessment):
    # Django's upload cuts a name to 255 characters keeping the extension; the service
    # refuses (rather than cuts) anything longer that reaches it by another road.
    upload = SimpleUploadedFile("a" * 300 + ".txt", b"plain text", content_type="text/plain")
    evidence = evidence_add(assessment=assessment, criterion_code="C1", upload=upload)
    assert len(evidence.original_name) == 255 and evidence.original_name.endswith(".txt")
