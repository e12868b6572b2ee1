"""Generated networks for the harness, made through the real services.

Institutions vary in country, region, type, size and delivery mode; each has three cycles
of the shipped institution rubric (answered, submitted; a third of them validated), and
one institution in ten has course reviews of the shipped course rubric. Answers come from
the demo's seeded generator, so a run is reproducible.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from django.core.management import call_command

from qa_tool.assessments.models import Assessment, Cycle
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
    assessment_validate,
)
from qa_tool.demo.ratings import demo_responses
from qa_tool.institutions.models import Institution, Role, Unit, User
from rubrics.models import RubricVersion

CYCLES = ("2024", "2025", "2026")
OPEN_CYCLE = "2027"
COUNTRIES = [
    ("KE", "east-africa"),
    ("UG", "east-africa"),
    ("TZ", "east-africa"),
    ("NG", "west-africa"),
    ("GH", "west-africa"),
    ("SN", "west-africa"),
    ("EG", "north-africa"),
    ("MA", "north-africa"),
    ("CN", "east-asia"),
    ("VN", "southeast-asia"),
    ("IN", "south-asia"),
    ("BD", "south-asia"),
]
TYPES = ("public", "private")
SIZES = ("small", "medium", "large", "very-large")
MODES = ("campus", "online", "blended")
COURSES_PER_INSTITUTION = 6
PASSWORD = "perf-pass-2026"


@dataclass
class Network:
    n: int
    version: RubricVersion
    course_version: RubricVersion
    officer: User
    dean: User
    reviewer: User
    own: Assessment  # institution 0's latest submitted assessment
    draft: Assessment  # institution 0's draft in the open cycle
    assessments: int
    seconds: float


def _answers(version: RubricVersion, code: str, cycle: str, i: int) -> dict[str, AnswerInput]:
    responses = demo_responses(
        version.content,
        rubric=version.rubric.slug,
        institution=code,
        cycle=cycle,
        maturity=0.8 + (i % 17) / 8,
        drift=CYCLES.index(cycle) * 0.15 if cycle in CYCLES else 0.2,
        justifications=["Documented in the quality handbook.", "Partly in place."],
        na_share=0.05,
        na_justification="Not offered here.",
    )
    return {
        c: AnswerInput(na=True, justification=r["justification"])
        if r["value"] == "na"
        else AnswerInput(value=r["value"], justification=r["justification"])
        for c, r in responses.items()
    }


def _assess(version, cycle, institution, i, reviewer, *, subject=None, validate=False) -> None:
    assessment, _created = assessment_start(
        institution=institution, rubric_version=version, cycle=cycle, subject=subject
    )
    key = institution.code + (subject.code if subject else "")
    assessment_save_answers(assessment=assessment, answers=_answers(version, key, cycle.name, i))
    assessment_submit(assessment=assessment)
    if validate:
        assessment_validate(assessment=assessment, actor=reviewer, comment="Validated.")


def seed(n: int, *, log: Any = print) -> Network:
    call_command("migrate", verbosity=0)
    call_command("import_rubric", "rubrics/library/obtl-institution.yaml", verbosity=0)
    call_command("import_rubric", "rubrics/library/obtl-course-review.yaml", verbosity=0)
    version = RubricVersion.objects.filter(rubric__slug="obtl-institution").latest("pk")
    course_version = RubricVersion.objects.filter(rubric__slug="obtl-course-review").latest("pk")
    cycles = [Cycle.objects.get_or_create(name=name)[0] for name in CYCLES]
    open_cycle, _ = Cycle.objects.get_or_create(name=OPEN_CYCLE)
    institutions = Institution.objects.bulk_create(
        Institution(
            code=f"P{i:05d}",
            name=f"Perf University {i}",
            country=COUNTRIES[i % len(COUNTRIES)][0],
            region=COUNTRIES[i % len(COUNTRIES)][1],
            type=TYPES[i % 2],
            size_band=SIZES[(i // 2) % 4],
            delivery_mode=MODES[(i // 3) % 3],
        )
        for i in range(n)
    )
    home = Institution.objects.get(code="P00000")
    officer = _user("officer", Role.OFFICER, home)
    dean = _user("dean", Role.LEADER, home)
    reviewer = _user("reviewer", Role.REVIEWER, None)
    started = time.perf_counter()
    count = 0
    for i, institution in enumerate(institutions):
        for cycle in cycles:
            _assess(version, cycle, institution, i, reviewer, validate=i % 3 == 0)
            count += 1
        if i % 10 == 0:
            for k in range(COURSES_PER_INSTITUTION):
                unit = Unit.objects.create(
                    institution=institution, level="course", code=f"C{k:02d}", title=f"Course {k}"
                )
                _assess(course_version, cycles[-1], institution, i, reviewer, subject=unit)
                count += 1
        if i and i % 500 == 0:
            log(f"  {i} institutions, {count} assessments")
    seconds = time.perf_counter() - started
    draft, _ = assessment_start(institution=home, rubric_version=version, cycle=open_cycle)
    own = Assessment.objects.get(institution=home, rubric_version=version, cycle=cycles[-1])
    return Network(
        n=n,
        version=version,
        course_version=course_version,
        officer=officer,
        dean=dean,
        reviewer=reviewer,
        own=own,
        draft=draft,
        assessments=count,
        seconds=seconds,
    )


def network_ids(network: Network) -> dict[str, Any]:
    """What ``load`` needs to find the network again in a copy of its database."""
    ids = {k: v for k, v in asdict(network).items() if k in ("n", "assessments", "seconds")}
    for name in ("version", "course_version", "officer", "dean", "reviewer", "own", "draft"):
        ids[name] = getattr(network, name).pk
    return ids


def load(ids: dict[str, Any]) -> Network:
    """A network seeded earlier (``network_ids``), in a copy of its database, migrated to
    this checkout first."""
    call_command("migrate", verbosity=0)
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[ids[k] for k in ("officer", "dean", "reviewer")])
    }
    versions = RubricVersion.objects.in_bulk([ids["version"], ids["course_version"]])
    assessments = Assessment.objects.in_bulk([ids["own"], ids["draft"]])
    return Network(
        n=ids["n"],
        version=versions[ids["version"]],
        course_version=versions[ids["course_version"]],
        officer=users[ids["officer"]],
        dean=users[ids["dean"]],
        reviewer=users[ids["reviewer"]],
        own=assessments[ids["own"]],
        draft=assessments[ids["draft"]],
        assessments=ids["assessments"],
        seconds=ids["seconds"],
    )


def _user(username: str, role: str, institution: Institution | None) -> User:
    user = User(username=username, role=role, institution=institution)
    user.set_password(PASSWORD)
    user.save()
    return user
