"""Reads about assessments. Everything a view shows goes through these or the access helpers."""

from __future__ import annotations

from typing import Any

from rubrics import scoring

from .models import Assessment, Evidence, Response


def responses_by_code(assessment: Assessment) -> dict[str, Response]:
    rows = Response.objects.filter(assessment=assessment).select_related("criterion")
    return {row.criterion.code: row for row in rows}


def evidence_by_code(assessment: Assessment) -> dict[str, list[Evidence]]:
    """The assessment's evidence files grouped by criterion code (one query)."""
    grouped: dict[str, list[Evidence]] = {}
    for item in Evidence.objects.filter(assessment=assessment).select_related("criterion"):
        grouped.setdefault(item.criterion.code, []).append(item)
    return grouped


def answers_of(responses: dict[str, Response]) -> dict[str, scoring.Answer]:
    answers = {}
    for code, row in responses.items():
        if row.is_na:
            answers[code] = scoring.NA
        elif row.value is not None:
            answers[code] = scoring.Answer(value=scoring.exact(row.value))
    return answers


def reviewed_answers_of(responses: dict[str, Response]) -> dict[str, scoring.Answer]:
    """The reviewer's level where one was given, else the self-assessed answer."""
    answers = answers_of(responses)
    for code, row in responses.items():
        if row.reviewed_na:
            answers[code] = scoring.NA
        elif row.reviewed_value is not None:
            answers[code] = scoring.Answer(value=scoring.exact(row.reviewed_value))
    return answers


def has_review(responses: dict[str, Response]) -> bool:
    return any(r.reviewed_na or r.reviewed_value is not None for r in responses.values())


def assessment_reviewed_result(
    assessment: Assessment, responses: dict[str, Response] | None = None
) -> scoring.Result:
    """The validated score: the same contract over the reviewer's levels where given."""
    if responses is None:
        responses = responses_by_code(assessment)
    return scoring.score(assessment.rubric_version.spec, reviewed_answers_of(responses))


def assessment_result(
    assessment: Assessment, responses: dict[str, Response] | None = None
) -> scoring.Result:
    """The scoring contract's result for the assessment's current answers."""
    if responses is None:
        responses = responses_by_code(assessment)
    return scoring.score(assessment.rubric_version.spec, answers_of(responses))


def assessment_score_json(assessment: Assessment) -> dict[str, Any]:
    """The contract's JSON, as printed by ``assessment_score --json``."""
    result = assessment_result(assessment)
    return {
        "assessment": assessment.pk,
        "institution": assessment.institution.code,
        "rubric": assessment.rubric_version.rubric.slug,
        "version": assessment.rubric_version.version,
        "cycle": assessment.cycle.name,
        "status": assessment.status,
        **result.to_dict(),
    }
