"""An assessment's subject: the unit rules in the services and the portable file, the JSON
outputs, and "the previous cycle" matched by subject (trends, previous actions)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from qa_tool.actions.selectors import previous_actions_by_code
from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.models import Assessment
from qa_tool.assessments.portable import assessment_export, assessment_import
from qa_tool.assessments.services import AssessmentError, assessment_start
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.selectors import institution_trend
from reports.context import build_report_context
from reports.json_report import report_json

from ..factories import CycleFactory
from .conftest import ALL_TOP, review

FULL = {code: {"value": v, "justification": ""} for code, v in ALL_TOP.items()}


def payload(**overrides):
    data = {
        "institution": "HOME",
        "rubric": "test-course",
        "version": "1",
        "cycle": "2026",
        "subject": "A1",
        "status": "draft",
        "responses": FULL,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def test_the_service_checks_the_subject(institution, course_version, rubric_version, cycle, units):
    for subject, message in [
        (None, "subject: this rubric assesses one course; name it by its code"),
        (units["P1"], "subject: P1 is a programme; this rubric assesses a course"),
        (units["X1"], "subject: X1 is not a unit of HOME"),
    ]:
        with pytest.raises(AssessmentError) as caught:
            assessment_start(
                institution=institution, rubric_version=course_version, cycle=cycle, subject=subject
            )
        assert [str(p) for p in caught.value.problems] == [message]
    with pytest.raises(AssessmentError):
        assessment_start(
            institution=institution, rubric_version=rubric_version, cycle=cycle, subject=units["A1"]
        )
    a1, created = assessment_start(
        institution=institution, rubric_version=course_version, cycle=cycle, subject=units["A1"]
    )
    again, created_again = assessment_start(
        institution=institution, rubric_version=course_version, cycle=cycle, subject=units["A1"]
    )
    a2, _ = assessment_start(
        institution=institution, rubric_version=course_version, cycle=cycle, subject=units["A2"]
    )
    # Unique per (institution, subject, rubric version, cycle): one each, never merged.
    assert created and not created_again and again == a1 and a2 != a1


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"subject": ...},
            "subject: required, the code of the course this test-course assessment is about",
        ),
        (
            {"subject": None},
            "subject: required, the code of the course this test-course assessment is about",
        ),
        ({"subject": "NOPE"}, "subject: HOME has no programme or course NOPE"),
        ({"subject": "X1"}, "subject: HOME has no programme or course X1"),
        ({"subject": "P1"}, "subject: P1 is a programme; test-course assesses a course"),
        ({"subject": 7}, "subject: must be a unit code (a text) or null"),
    ],
)
def test_portable_subject_refusals_change_nothing(
    institution, course_version, units, change, message
):
    with pytest.raises(AssessmentError) as caught:
        assessment_import(data=payload(**change))
    assert message in [str(p) for p in caught.value.problems]
    assert Assessment.objects.count() == 0


def test_institution_rubric_files_have_no_subject(institution, rubric_version, units):
    data = payload(rubric="test-rubric", subject=...)
    assessment = assessment_import(data=data)
    assert assessment.subject is None
    exported = assessment_export(assessment)
    assert exported["subject"] is None
    # Exported with "subject": null, it imports back.
    assert assessment_import(data=exported) == assessment
    with pytest.raises(AssessmentError) as caught:
        assessment_import(data=payload(rubric="test-rubric", subject="A1"))
    assert str(caught.value.problems[0]) == (
        "subject: test-rubric assesses the whole institution; give no subject"
    )


def test_course_files_round_trip_and_every_output_carries_the_subject(
    institution, course_version, units, reviewer
):
    a1 = assessment_import(data=payload(status="submitted"))
    b1 = assessment_import(data=payload(subject="B1", status="submitted"))
    assert (a1.subject.code, b1.subject.code) == ("A1", "B1")
    exported = assessment_export(a1)
    assert exported["subject"] == "A1"
    assert assessment_import(data=exported) == a1
    out = StringIO()
    call_command("assessment_score", str(a1.pk), "--json", stdout=out)
    assert json.loads(out.getvalue())["subject"] == "A1"
    out = StringIO()
    call_command("assessment_score", str(a1.pk), stdout=out)
    assert "cycle 2026 · submitted · A1\n" in out.getvalue()
    context = build_report_context(assessment=a1, audience=Audience.of(reviewer))
    assert report_json(context)["subject"] == "A1"


def test_trend_and_previous_actions_follow_the_same_subject(
    institution, course_version, units, rubric_version
):
    old, new = CycleFactory(name="2025"), CycleFactory(name="2026")
    weak = {"C1": 1, "C2": 1, "C3": 1, "C4": 1, "C5": 1}
    a1_old = review(units["A1"], course_version, old, weak)
    a2_old = review(units["A2"], course_version, old, {**weak, "C1": 0})
    review(units["B1"], course_version, old, weak)
    a1_new = review(units["A1"], course_version, new, ALL_TOP)
    action_plan_generate(assessment=a1_old)
    action_plan_generate(assessment=a2_old)
    trend = institution_trend(assessment=a1_new)
    assert [(p.cycle, p.assessment_id) for p in trend.points] == [
        ("2025", a1_old.pk),
        ("2026", a1_new.pk),
    ]
    previous = previous_actions_by_code(a1_new)
    assert previous and {item.assessment_id for item in previous.values()} == {a1_old.pk}
    # A course with no earlier review has no previous cycle, whatever other courses did.
    b1_new = review(units["B1"], course_version, new, ALL_TOP, status="draft")
    lone = review(units["LONE"], course_version, new, ALL_TOP, status="draft")
    assert previous_actions_by_code(lone) == {}
    assert [p.cycle for p in institution_trend(assessment=lone).points] == []
    assert [p.cycle for p in institution_trend(assessment=b1_new).points] == ["2025"]
