"""Units personas: a course-level rubric, programmes and courses at home and away, and
contributors (one of a course, one of a programme)."""

import pytest

from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
    assessment_validate,
)
from qa_tool.institutions.models import Role, UnitProgramme
from qa_tool.institutions.units import contributor_assign

from ..factories import UnitFactory, UserFactory, import_doc, rubric_doc

ALL_TOP = {"C1": 3, "C2": 3, "C3": 3, "C4": 3, "C5": 3}


@pytest.fixture
def course_version(db):
    return import_doc(rubric_doc(slug="test-course", level="course"))


@pytest.fixture
def units(institution, other_institution):
    """Home: P1 (A1, A2, SHARED), P2 (B1, SHARED), LONE in no programme; away: X1, XP."""
    made = {}
    for code in ("P1", "P2"):
        made[code] = UnitFactory(institution=institution, level="programme", code=code)
    for code in ("A1", "A2", "B1", "SHARED", "LONE"):
        made[code] = UnitFactory(institution=institution, level="course", code=code)
    for course, programme in (
        ("A1", "P1"),
        ("A2", "P1"),
        ("SHARED", "P1"),
        ("B1", "P2"),
        ("SHARED", "P2"),
    ):
        UnitProgramme.objects.create(course=made[course], programme=made[programme])
    made["X1"] = UnitFactory(institution=other_institution, level="course", code="X1")
    made["XP"] = UnitFactory(institution=other_institution, level="programme", code="XP")
    UnitProgramme.objects.create(course=made["X1"], programme=made["XP"])
    return made


@pytest.fixture
def contributor(institution, units):
    user = UserFactory(username="lead", role=Role.CONTRIBUTOR, institution=institution)
    contributor_assign(user=user, unit=units["A1"])
    return user


@pytest.fixture
def coordinator(institution, units):
    """A programme coordinator: P1's contributor, so A1, A2 and SHARED."""
    user = UserFactory(username="coordinator", role=Role.CONTRIBUTOR, institution=institution)
    contributor_assign(user=user, unit=units["P1"])
    return user


def review(unit, version, cycle, values, status="submitted", reviewer=None):
    """The unit's assessment answered with ``values`` ("na" for N/A) and taken to ``status``."""
    assessment, _ = assessment_start(
        institution=unit.institution, rubric_version=version, cycle=cycle, subject=unit
    )
    assessment_save_answers(
        assessment=assessment,
        answers={
            code: AnswerInput(na=True) if value == "na" else AnswerInput(value=value)
            for code, value in values.items()
        },
    )
    if status in ("submitted", "validated"):
        assessment_submit(assessment=assessment)
    if status == "validated":
        assessment_validate(assessment=assessment, actor=reviewer, comment="ok")
    assessment.refresh_from_db()
    return assessment
