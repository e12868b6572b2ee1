"""Factories and small rubric documents for tests."""

from __future__ import annotations

import copy
from typing import Any

import factory

from qa_tool.assessments.models import Cycle
from qa_tool.institutions.models import Institution, Role, Unit, User
from rubrics.document import validate
from rubrics.models import RubricVersion
from rubrics.services import rubric_import

PASSWORD = "pw-for-tests"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"INST-{n:03d}")
    name = factory.Sequence(lambda n: f"Test University {n}")
    country = "KE"
    region = "east-africa"
    type = "public"
    size_band = "medium"
    delivery_mode = "blended"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    institution = factory.SubFactory(InstitutionFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("institution", "code")

    institution = factory.SubFactory(InstitutionFactory)
    level = "course"
    code = factory.Sequence(lambda n: f"C{n:04d}")
    title = factory.LazyAttribute(lambda u: f"Course {u.code}")


def subject_for(version: RubricVersion, institution: Institution, code: str = "") -> Unit | None:
    """A unit of the rubric's level in the institution (None for an institution rubric)."""
    if version.level == "institution":
        return None
    return UnitFactory(institution=institution, level=version.level, code=code or "UNIT-1")


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = "2026"


def text(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)", "ar": f"{en} (ar)", "zh-hans": f"{en} (zh)"}


def rubric_doc(**overrides: Any) -> dict[str, Any]:
    """A small valid rubric: 0..3 scale, two domains (weights 2 and 1), five criteria.

    D1: C1 (w1), C2 (w2, critical), C3 (w1, N/A allowed); D2: C4 (w1), C5 (w3).
    """
    levels = [0, 1, 2, 3]
    doc: dict[str, Any] = {
        "slug": "test-rubric",
        "version": "1",
        "title": text("Test rubric"),
        "description": "A rubric for tests.",
        "aggregate": "domains",
        "scale": [{"value": v, "label": text(f"Level {v}")} for v in levels],
        "bands": [
            {"min": 0, "label": "Low"},
            {"min": 50, "label": "Middle"},
            {"min": 80, "label": "High"},
        ],
        "pass": {"min_score": 60, "critical_min_value": 2},
        "domains": [
            {
                "code": "D1",
                "title": text("Domain one"),
                "weight": 2,
                "criteria": [
                    {
                        "code": "C1",
                        "text": text("Criterion one"),
                        "descriptors": {v: f"C1 at {v}" for v in levels},
                    },
                    {
                        "code": "C2",
                        "text": "Criterion two",
                        "weight": 2,
                        "critical": True,
                        "recommendations": {0: "Start C2", 1: "Grow C2", 2: "Refine C2"},
                    },
                    {"code": "C3", "text": "Criterion three", "allow_na": True},
                ],
            },
            {
                "code": "D2",
                "title": "Domain two",
                "criteria": [
                    {"code": "C4", "text": "Criterion four"},
                    {"code": "C5", "text": "Criterion five", "weight": 3},
                ],
            },
        ],
    }
    doc.update(overrides)
    return copy.deepcopy(doc)


def acode_doc(**overrides: Any) -> dict[str, Any]:
    """An ACODE-like benchmark rubric: levels 1..5 read with ``normalise: range`` (level 1
    is 0 %), no bands or pass rule.

    A (weight 2): A1 (w1), A2 (w3); B (weight 1): B1 (w2, N/A allowed), B2 (w1).
    """
    levels = [1, 2, 3, 4, 5]
    doc: dict[str, Any] = {
        "slug": "acode-like",
        "version": "1",
        "title": text("ACODE-like benchmarks"),
        "normalise": "range",
        "scale": [{"value": v, "label": text(f"Level {v}")} for v in levels],
        "domains": [
            {
                "code": "A",
                "title": text("Institution policy"),
                "weight": 2,
                "criteria": [
                    {"code": "A1", "text": text("A plan exists")},
                    {"code": "A2", "text": text("The plan is resourced"), "weight": 3},
                ],
            },
            {
                "code": "B",
                "title": text("Staff support"),
                "criteria": [
                    {"code": "B1", "text": text("Training"), "weight": 2, "allow_na": True},
                    {"code": "B2", "text": text("Recognition")},
                ],
            },
        ],
    }
    doc.update(overrides)
    return copy.deepcopy(doc)


def import_doc(doc: dict[str, Any] | None = None) -> RubricVersion:
    import yaml

    doc = doc or rubric_doc()
    (outcome,) = rubric_import(files=[("test.yaml", yaml.safe_dump(doc).encode())])
    return outcome.rubric_version


def normalised(doc: dict[str, Any]) -> dict[str, Any]:
    return validate(doc, "test.yaml")
