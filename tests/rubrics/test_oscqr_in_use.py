"""The shipped OSCQR-structured course review in use: a profile with no score, actions
aimed at "Sufficiently present", each estimated from the revision level it starts at."""

from pathlib import Path

import pytest
from django.urls import reverse

from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.selectors import assessment_score_json
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
)
from rubrics.services import rubric_import

from ..factories import CycleFactory, UnitFactory

PATH = Path(__file__).resolve().parents[2] / "rubrics" / "library" / "oscqr-course-review.yaml"
MAJOR, MODERATE, MINOR, PRESENT = 0, 1, 2, 3


@pytest.fixture
def reviewed_course(institution, officer):
    (outcome,) = rubric_import(files=[(PATH.name, PATH.read_bytes())])
    version = outcome.rubric_version
    course = UnitFactory(institution=institution, level="course", code="EDU101")
    assessment, _ = assessment_start(
        institution=institution, rubric_version=version, cycle=CycleFactory(), subject=course
    )
    codes = [c["code"] for d in version.content["domains"] for c in d["criteria"]]
    # One standard needs a major revision, two a moderate one, three a minor one, two are
    # N/A; the rest are sufficiently present.
    levels = [MAJOR, MODERATE, MODERATE, MINOR, MINOR, MINOR]
    answers = {code: AnswerInput(value=level) for code, level in zip(codes, levels, strict=False)}
    answers.update({code: AnswerInput(na=True) for code in codes[6:8]})
    answers.update({code: AnswerInput(value=PRESENT) for code in codes[8:]})
    assessment_save_answers(assessment=assessment, answers=answers)
    assessment_submit(assessment=assessment)
    action_plan_generate(assessment=assessment, actor=officer)
    return assessment, codes


def test_the_result_is_a_level_profile_without_a_score(reviewed_course):
    assessment, codes = reviewed_course
    body = assessment_score_json(assessment)
    assert body["overall"] is None
    assert body["profile"] == {
        "levels": [
            {"value": 0, "count": 1},
            {"value": 1, "count": 2},
            {"value": 2, "count": 3},
            {"value": 3, "count": len(codes) - 8},
        ],
        "na": 2,
        "unanswered": 0,
    }
    assert {c["score"] for c in body["criteria"]} == {None}


def test_every_action_aims_at_sufficiently_present_with_its_revision_effort(
    client, officer, reviewed_course
):
    assessment, _codes = reviewed_course
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert page.count("Sufficiently present") >= 6
    # 4 h (major) + 2 x 1.5 h (moderate) + 3 x 0.5 h (minor) = 8.5 h, all six estimated.
    assert (
        "Estimated work of the open actions: 8.5 h (6 of 6 actions have an estimate in hours)."
        in page
    )
    assert "half a day or more" in page and "under 30 minutes" in page
    results = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert "Level profile" in results and "Major revision" in results


def test_another_institution_cannot_read_the_course_review(client, outsider, reviewed_course):
    assessment, _codes = reviewed_course
    client.force_login(outsider)
    assert client.get(reverse("assessments:score", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("actions:plan", args=[assessment.pk])).status_code == 404
