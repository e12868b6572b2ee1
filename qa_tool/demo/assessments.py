"""The demo's assessments, loaded as portable files so they pass the real checks and services.

Each assessment is imported as a submitted file in the officer's name, then reviewed and
validated in the reviewer's name, every step with source "demo": the history page shows
who did what, as for real data. An existing assessment is never touched, so what a demo
user changed survives a restart and a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qa_tool.assessments.models import Assessment, Cycle
from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.services import ReviewInput, assessment_save_review, assessment_validate
from qa_tool.institutions.models import User
from rubrics.models import RubricVersion

from .files import DemoDataError, Parameters
from .ratings import demo_responses, lowered_review

SOURCE = "demo"


@dataclass(frozen=True)
class Actors:
    # By institution code; an institution without a demo officer answers in no one's name.
    officers: dict[str, User]
    reviewer: User


def latest_version(slug: str) -> RubricVersion:
    version = (
        RubricVersion.objects.filter(rubric__slug=slug)
        .select_related("rubric")
        .order_by("-pk")
        .first()
    )
    if version is None:
        raise DemoDataError([f"rubric {slug} is not imported"])
    return version


def _responses(
    params: Parameters, version: RubricVersion, code: str, cycle: str, maturity: float
) -> dict[str, dict[str, Any]]:
    drift = next(c.drift for c in params.cycles if c.name == cycle)
    return demo_responses(
        version.content,
        rubric=version.rubric.slug,
        institution=code,
        cycle=cycle,
        maturity=maturity,
        drift=drift,
        justifications=params.justifications,
        na_share=params.na_share,
        na_justification=params.na_justification,
    )


def _import(
    version: RubricVersion,
    code: str,
    cycle: str,
    status: str,
    responses: dict[str, dict[str, Any]],
    actor: User | None,
    subject: str | None = None,
) -> Assessment:
    data = {
        "institution": code,
        "rubric": version.rubric.slug,
        "version": version.version,
        "cycle": cycle,
        "subject": subject,
        "status": status,
        "responses": responses,
    }
    return assessment_import(data=data, actor=actor, source=SOURCE)


def _review_and_validate(
    assessment: Assessment,
    responses: dict[str, dict[str, Any]],
    params: Parameters,
    reviewer: User,
) -> None:
    scale = [level["value"] for level in assessment.rubric_version.scale]
    reviews = {
        code: ReviewInput(value=Decimal(str(review["value"])), comment=params.review_comment)
        for code, review in lowered_review(responses, scale).items()
    }
    if reviews:
        assessment_save_review(
            assessment=assessment, reviews=reviews, actor=reviewer, source=SOURCE
        )
    assessment_validate(
        assessment=assessment,
        actor=reviewer,
        comment=params.validation_comment,
        source=SOURCE,
    )


def _existing(versions: list[RubricVersion]) -> set[tuple[str, int, str, str | None]]:
    return set(
        Assessment.objects.filter(rubric_version__in=versions).values_list(
            "institution__code", "rubric_version_id", "cycle__name", "subject__code"
        )
    )


def load_assessments(*, params: Parameters, institutions: list[str], actors: Actors) -> int:
    """Both cycles' assessments of every institution, in CSV order, and the course review
    in progress; return how many were created."""
    for spec in params.cycles:
        # A cycle that exists keeps its open/closed state: an administrator may have changed it.
        Cycle.objects.get_or_create(name=spec.name, defaults={"is_open": spec.is_open})
    version = latest_version(params.rubric)
    course = latest_version(params.in_progress.rubric)
    existing = _existing([version, course])
    first_cycle = params.cycles[0].name
    created = 0
    for index, code in enumerate(institutions):
        for spec in params.cycles:
            if (code, version.pk, spec.name, None) in existing:
                continue
            responses = _responses(params, version, code, spec.name, params.maturity[code])
            assessment = _import(
                version, code, spec.name, "submitted", responses, actors.officers.get(code)
            )
            if spec.name == first_cycle and index % params.validate_every == 0:
                _review_and_validate(assessment, responses, params, actors.reviewer)
            created += 1
    task = params.in_progress
    subject = task.subject or None
    if (task.institution, course.pk, task.cycle, subject) not in existing:
        responses = _responses(params, course, task.institution, task.cycle, task.maturity)
        # Half answered, so the officer finds a draft to resume in the wizard.
        half = dict(list(responses.items())[: len(responses) // 2])
        _import(
            course,
            task.institution,
            task.cycle,
            "draft",
            half,
            actors.officers.get(task.institution),
            subject,
        )
        created += 1
    return created
