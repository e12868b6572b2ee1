"""Reads about assessments. Everything a view shows goes through these or the access helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet

from rubrics import scoring
from rubrics.models import Criterion, RubricVersion

from .extensions import extend_score_json
from .models import Assessment, Evidence, Response, Status


def responses_by_code(assessment: Assessment) -> dict[str, Response]:
    rows = Response.objects.filter(assessment=assessment).select_related("criterion")
    return {row.criterion.code: row for row in rows}


def evidence_by_code(assessment: Assessment) -> dict[str, list[Evidence]]:
    """The assessment's evidence files grouped by criterion code (one query)."""
    grouped: dict[str, list[Evidence]] = {}
    for item in Evidence.objects.filter(assessment=assessment).select_related("criterion"):
        grouped.setdefault(item.criterion.code, []).append(item)
    return grouped


def criteria_missing_evidence(assessment: Assessment) -> list[Criterion]:
    """The criteria that require evidence (``evidence_required`` in the rubric) and have
    neither an evidence link nor an evidence file, in rubric order; a criterion answered
    N/A needs none. The one rule behind every submission road (wizard, workbook, file),
    read from the database so that links and files saved by any road count."""
    required = assessment.rubric_version.evidence_required_codes
    if not required:
        return []
    criteria = list(
        assessment.rubric_version.criteria.filter(code__in=required).order_by("position")
    )
    rows = Response.objects.filter(assessment=assessment, criterion__in=criteria)
    excused = set()
    for criterion_id, is_na, links in rows.values_list("criterion_id", "is_na", "evidence_links"):
        if is_na or links.strip():
            excused.add(criterion_id)
    excused.update(
        Evidence.objects.filter(assessment=assessment, criterion__in=criteria).values_list(
            "criterion_id", flat=True
        )
    )
    return [c for c in criteria if c.pk not in excused]


class Reading(NamedTuple):
    """A response's self-assessed and reviewed levels, read as plain values: scoring a
    list page needs these only, and building thousands of model instances for them was
    most of the page's time."""

    value: Decimal | None
    is_na: bool
    reviewed_value: Decimal | None
    reviewed_na: bool


#: What the scoring reads of a response: the saved row, or its ``Reading``.
Readings = Mapping[str, Response] | Mapping[str, Reading]


def answers_of(responses: Readings) -> dict[str, scoring.Answer]:
    """The self-assessed answers."""
    return {
        code: answer
        for code, row in responses.items()
        if (answer := _answer(row.value, row.is_na)) is not None
    }


def reviewed_answers_of(responses: Readings) -> dict[str, scoring.Answer]:
    """The reviewer's level where one was given, else the self-assessed answer."""
    answers = answers_of(responses)
    for code, row in responses.items():
        reviewed = _answer(row.reviewed_value, row.reviewed_na)
        if reviewed is not None:
            answers[code] = reviewed
    return answers


def _answer(value: Any, na: bool) -> scoring.Answer | None:
    if na:
        return scoring.NA
    return None if value is None else scoring.Answer(value=scoring.exact(value))


def has_review(responses: dict[str, Response]) -> bool:
    return any(r.reviewed_na or r.reviewed_value is not None for r in responses.values())


def assessment_reviewed_result(
    assessment: Assessment, responses: dict[str, Response] | None = None
) -> scoring.Result:
    """The reviewer's proposal: the contract over the reviewer's levels where given.

    It becomes the headline only once the assessment is validated (see ``assessment_scores``).
    """
    if responses is None:
        responses = responses_by_code(assessment)
    return scoring.score(assessment.rubric_version.spec, reviewed_answers_of(responses))


def assessment_result(
    assessment: Assessment, responses: dict[str, Response] | None = None
) -> scoring.Result:
    """The scoring contract's result for the assessment's current (self-assessed) answers."""
    if responses is None:
        responses = responses_by_code(assessment)
    return scoring.score(assessment.rubric_version.spec, answers_of(responses))


HEADLINE_VALIDATED = "validated"
HEADLINE_SELF_ASSESSED = "self_assessed"


@dataclass(frozen=True)
class AssessmentScores:
    """An assessment's self-assessed result, its validated result once validated, and
    which of the two is the headline. The one home of the rule "a validated
    assessment is read through the reviewer's levels": every surface asks this."""

    self_assessed: scoring.Result
    validated: scoring.Result | None

    @property
    def headline(self) -> scoring.Result:
        return self.validated if self.validated is not None else self.self_assessed

    @property
    def headline_kind(self) -> str:
        return HEADLINE_VALIDATED if self.validated is not None else HEADLINE_SELF_ASSESSED


def assessment_scores(
    assessment: Assessment, responses: Readings | None = None
) -> AssessmentScores:
    """The headline rule: a validated assessment's headline is the reviewer-validated
    result (reviewer level where given, else the self-assessed one); otherwise the
    self-assessed result."""
    if responses is None:
        responses = responses_by_code(assessment)
    spec = assessment.rubric_version.spec
    own = scoring.score(spec, answers_of(responses))
    validated = (
        scoring.score(spec, headline_answers(assessment, responses))
        if assessment.status == Status.VALIDATED
        else None
    )
    return AssessmentScores(self_assessed=own, validated=validated)


def headline_answers(
    assessment: Assessment, responses: Readings | None = None
) -> dict[str, scoring.Answer]:
    """The answers behind the headline result (the action plan ranks these)."""
    if responses is None:
        responses = responses_by_code(assessment)
    if assessment.status == Status.VALIDATED:
        return reviewed_answers_of(responses)
    return answers_of(responses)


def assessments_with_scores(
    assessments: QuerySet[Assessment],
) -> list[tuple[Assessment, AssessmentScores]]:
    """Score a page of assessments with a fixed number of queries, whatever its length."""
    rows = list(
        assessments.select_related(
            "institution", "cycle", "rubric_version__rubric", "subject"
        ).defer("rubric_version__content")
    )
    readings: dict[int, dict[str, Reading]] = {a.pk: {} for a in rows}
    for assessment_id, code, value, na, reviewed, reviewed_na in Response.objects.filter(
        assessment_id__in=readings
    ).values_list(
        "assessment_id", "criterion__code", "value", "is_na", "reviewed_value", "reviewed_na"
    ):
        readings[assessment_id][code] = Reading(value, na, reviewed, reviewed_na)
    # The rubric document is large: each version's parsed spec is shared by the page's
    # rows and kept by the process (``RubricVersion.spec``), so it is not read here.
    specs = {
        version.pk: version
        for version in RubricVersion.objects.filter(pk__in={a.rubric_version_id for a in rows})
        .select_related("rubric")
        .defer("content")
    }
    scored = []
    for assessment in rows:
        assessment.rubric_version = specs[assessment.rubric_version_id]
        scored.append((assessment, assessment_scores(assessment, readings[assessment.pk])))
    return scored


def criterion_review_json(responses: dict[str, Response]) -> dict[str, dict[str, Any]]:
    """Per criterion: the self-assessed value, the reviewer's value and comment (JSON)."""

    def level(value: Any, na: bool) -> Any:
        if na:
            return "na"
        return None if value is None else scoring.canonical_number(Decimal(value))

    return {
        code: {
            "self_value": level(row.value, row.is_na),
            "reviewed_value": level(row.reviewed_value, row.reviewed_na),
            "reviewer_comment": row.review_comment,
        }
        for code, row in responses.items()
    }


def scores_json(scores: AssessmentScores, responses: dict[str, Response]) -> dict[str, Any]:
    """The headline result's JSON with both readings beside it (``assessment_score --json``
    and the JSON report share it)."""
    review = criterion_review_json(responses)
    empty = {"self_value": None, "reviewed_value": None, "reviewer_comment": ""}

    def with_review(result: scoring.Result) -> dict[str, Any]:
        body = result.to_dict()
        for criterion in body["criteria"]:
            criterion.update(review.get(criterion["code"], empty))
        return body

    return {
        **with_review(scores.headline),
        "headline": scores.headline_kind,
        "self_assessed": with_review(scores.self_assessed),
        "validated": with_review(scores.validated) if scores.validated is not None else None,
    }


def assessment_score_json(assessment: Assessment) -> dict[str, Any]:
    """The contract's JSON, as printed by ``assessment_score --json``: the headline result."""
    responses = responses_by_code(assessment)
    data: dict[str, Any] = {
        "assessment": assessment.pk,
        "institution": assessment.institution.code,
        "rubric": assessment.rubric_version.rubric.slug,
        "version": assessment.rubric_version.version,
        "cycle": assessment.cycle.name,
        "subject": assessment.subject_code,
        "status": assessment.status,
        **scores_json(assessment_scores(assessment, responses), responses),
    }
    # Higher rooms add their keys (the review panel: ratings, agreement, raters, alpha).
    extend_score_json(assessment, data)
    return data
