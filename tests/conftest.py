"""Personas: an officer and a dean of one institution, an outsider officer of another,
a reviewer and an administrator of the coordinating centre."""

import os
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, settings

from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.institutions.models import Role

from .factories import CycleFactory, InstitutionFactory, UserFactory, import_doc

# Example counts come from a profile, not from each test: fast on a laptop, thorough in CI
# (HYPOTHESIS_PROFILE=thorough, set by .ci/run).
settings.register_profile(
    "fast", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def pytest_sessionstart(session):
    """Stale or missing compiled catalogues fail many unrelated tests; say so once instead."""
    stale = [
        str(po.relative_to(LOCALE.parent))
        for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        pytest.exit(
            "The translation catalogues are not compiled ("
            + ", ".join(stale)
            + "): run make messages",
            returncode=2,
        )


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request in another language leaves it active in the thread; start each test in English."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def institution(db):
    return InstitutionFactory(code="HOME", name="Home University")


@pytest.fixture
def other_institution(db):
    return InstitutionFactory(
        code="AWAY", name="Away University", country="EG", region="north-africa"
    )


@pytest.fixture
def officer(institution):
    return UserFactory(username="officer", role=Role.OFFICER, institution=institution)


@pytest.fixture
def dean(institution):
    return UserFactory(username="dean", role=Role.LEADER, institution=institution)


@pytest.fixture
def outsider(other_institution):
    return UserFactory(username="outsider", role=Role.OFFICER, institution=other_institution)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role=Role.REVIEWER, institution=None)


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", role=Role.ADMIN, institution=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def rubric_version(db):
    return import_doc()


@pytest.fixture
def cycle(db):
    return CycleFactory(name="2026")


@pytest.fixture
def assessment(institution, rubric_version, cycle):
    """A draft of the home institution with C1=3, C2=2, C3=N/A, C4=1 and C5 unanswered."""
    assessment, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C1": AnswerInput(value=3, justification="Strong <b>policy</b>"),
            "C2": AnswerInput(value=2),
            "C3": AnswerInput(na=True),
            "C4": AnswerInput(value=1),
        },
    )
    return assessment
