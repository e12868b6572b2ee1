"""The portable assessment file: one assessment as JSON, to move it between installations.

``assessment_export`` writes what ``assessment_import`` reads back: the answers,
their evidence links, and for a submitted or validated assessment the review.
The import goes through the same services as the web (answers, submit, review,
validate), so the checks and the audit trail are the same; only the source differs.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem
from qa_tool.institutions.models import Institution, Level, Unit
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.scoring import canonical_number

from .audit import level_json
from .evidence import invalid_links
from .extensions import portable_extensions
from .models import Assessment, Cycle, Status
from .selectors import responses_by_code
from .services import (
    AnswerInput,
    AssessmentError,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
    check_answers,
)

# "returned" is not part of the format: a returned assessment travels as a draft.
PORTABLE_STATUSES = ("draft", "submitted", "validated")
IDENTITY_KEYS = ("institution", "rubric", "version", "cycle", "status")


def _portable_level(value: Any, na: bool) -> Any:
    if na:
        return "na"
    if value is None:
        return None
    return canonical_number(Decimal(value))


def _file_status(assessment: Assessment) -> str:
    if assessment.status == Status.VALIDATED:
        return "validated"
    return "draft" if assessment.is_editable else "submitted"


def assessment_export(assessment: Assessment) -> dict[str, Any]:
    """The portable assessment file (see ``import_assessment``)."""
    responses, review = {}, {}
    for code, row in sorted(
        responses_by_code(assessment).items(), key=lambda kv: kv[1].criterion.position
    ):
        value = _portable_level(row.value, row.is_na)
        if value is not None or row.justification or row.links:
            responses[code] = {
                "value": value,
                "justification": row.justification,
                "evidence_links": row.links,
            }
        reviewed = _portable_level(row.reviewed_value, row.reviewed_na)
        if reviewed is not None or row.review_comment:
            review[code] = {"value": reviewed, "comment": row.review_comment}
    status = _file_status(assessment)
    data: dict[str, Any] = {
        "institution": assessment.institution.code,
        "rubric": assessment.rubric_version.rubric.slug,
        "version": assessment.rubric_version.version,
        "cycle": assessment.cycle.name,
        "subject": assessment.subject_code,
        "status": status,
        "responses": responses,
    }
    # A draft carries no review: a returned assessment's review belongs to the round
    # the institution is revising. A validated one always carries its review block,
    # even empty, because the import requires it.
    if status == "validated":
        data["review"] = review
        data["review_comment"] = assessment.review_comment
    elif status == "submitted" and review:
        data["review"] = review
    for extension in portable_extensions():
        data.update(extension.export(assessment))
    return data


def _number_or_na(raw: Any) -> tuple[Decimal | None, bool]:
    # Only after _check_portable_shape: every value here is null, "na" or a bounded number.
    return (None if raw in (None, "na") else bounds.number(raw)), raw == "na"


def _check_review(
    criteria: dict[str, Criterion], scale: set[Any], reviews: dict[str, ReviewInput]
) -> list[str]:
    """The answers' checks, with each message located in the review block."""
    located_criteria, located = {}, {}
    for code, review in reviews.items():
        if code in criteria:
            where = f"review.{code}.value"
            located_criteria[where] = criteria[code]
        else:
            where = f"review.{code}"
        located[where] = AnswerInput(value=review.value, na=review.na)
    return check_answers(located_criteria, scale, located)


def assessment_import(*, data: Any, actor: Any = None, source: str = "file") -> Assessment:
    """Create or update an assessment from the portable JSON format, atomically; the
    extensions (e.g. the review panel's ``raters``) read their keys in the same transaction."""
    with transaction.atomic():
        for extension in portable_extensions():
            data = extension.prepare(data)
        assessment = _assessment_import(data=data, actor=actor, source=source)
        for extension in portable_extensions():
            extension.imported(assessment, data, actor=actor, source=source)
    return assessment


def _assessment_import(*, data: Any, actor: Any, source: str) -> Assessment:
    """Create or update an assessment from the portable JSON format, atomically.

    A validated file is answered, submitted, reviewed and validated in one
    transaction, every step in the audit trail with ``source``; ``actor`` (None
    from the command line) is recorded as the reviewer and validator.
    """
    problems = _check_portable_shape(data)
    if problems:
        raise AssessmentError(problems)
    institution, version = _file_identity(data)
    subject, subject_problems = _subject(data, institution, version)
    if subject_problems:
        raise AssessmentError(subject_problems)
    status = data["status"]
    answers = _file_answers(data)
    reviews = _file_reviews(data)
    review_comment = (data.get("review_comment") or "").strip()
    problems = _answers_problems(version, status, answers, reviews)
    if problems:
        raise AssessmentError(problems)

    actor = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        cycle, _created = Cycle.objects.get_or_create(name=data["cycle"])
        assessment, _created = assessment_start(
            institution=institution,
            rubric_version=version,
            cycle=cycle,
            actor=actor,
            subject=subject,
            source=source,
        )
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not assessment.is_editable:
            if _unchanged(assessment, status, answers, reviews, review_comment):
                return assessment  # the same file again: nothing to do
            raise AssessmentError([_locked_message(assessment)])
        _apply_file(
            assessment,
            status=status,
            answers=answers,
            reviews=reviews,
            review_comment=review_comment,
            actor=actor,
            source=source,
        )
    return assessment


def _file_identity(data: dict[str, Any]) -> tuple[Institution, RubricVersion]:
    """The file's institution and rubric version; every lookup problem is reported at once,
    with the cycle name's, before anything else is checked."""
    problems: list[str] = []
    institution = Institution.objects.filter(code=data["institution"]).first()
    if institution is None:
        problems.append(_("unknown institution %(code)s") % {"code": data["institution"]})
    version = (
        RubricVersion.objects.filter(rubric__slug=data["rubric"], version=data["version"])
        .select_related("rubric")
        .first()
    )
    if version is None:
        if Rubric.objects.filter(slug=data["rubric"]).exists():
            problems.append(
                _("rubric %(slug)s has no version %(version)s")
                % {"slug": data["rubric"], "version": data["version"]}
            )
        else:
            problems.append(_("unknown rubric %(slug)s") % {"slug": data["rubric"]})
    try:
        Cycle._meta.get_field("name").run_validators(data["cycle"])
    except ValidationError as exc:
        problems.extend(f"cycle: {message}" for message in exc.messages)
    if problems or institution is None or version is None:
        raise AssessmentError(problems)
    return institution, version


def _file_answers(data: dict[str, Any]) -> dict[str, AnswerInput]:
    answers = {}
    for code, item in data["responses"].items():
        value, na = _number_or_na(item.get("value"))
        links = item.get("evidence_links")
        answers[code] = AnswerInput(
            value=value,
            na=na,
            justification=item.get("justification") or "",
            # Without the key (older files) the links stay as they are.
            links=None if links is None else "\n".join(link.strip() for link in links),
        )
    return answers


def _file_reviews(data: dict[str, Any]) -> dict[str, ReviewInput] | None:
    # None, not {}: without the key (a draft's file) the review is neither checked nor compared.
    if "review" not in data:
        return None
    reviews = {}
    for code, item in data["review"].items():
        value, na = _number_or_na(item.get("value"))
        reviews[code] = ReviewInput(value=value, na=na, comment=item.get("comment") or "")
    return reviews


def _answers_problems(
    version: RubricVersion,
    status: str,
    answers: dict[str, AnswerInput],
    reviews: dict[str, ReviewInput] | None,
) -> list[str]:
    """The answers' and review's checks, then the submitted file's completeness."""
    criteria = {c.code: c for c in version.criteria.all()}
    scale = set(version.spec.scale)
    problems = check_answers(criteria, scale, answers)
    if reviews is not None:
        problems.extend(_check_review(criteria, scale, reviews))
    if status != "draft":
        unanswered = [
            code
            for code in criteria
            if code not in answers or (answers[code].value is None and not answers[code].na)
        ]
        if unanswered:
            problems.append(
                _("a submitted assessment must answer every criterion; missing: %(codes)s")
                % {"codes": ", ".join(unanswered)}
            )
    return problems


def _locked_message(assessment: Assessment) -> str:
    if assessment.status == Status.VALIDATED:
        message = _("the assessment %(id)s is validated, which is final; a file cannot change it")
    else:
        message = _(
            "the assessment %(id)s is %(status)s; it can change only after a reviewer returns it"
        )
    return message % {"id": assessment.pk, "status": assessment.get_status_display()}


def _apply_file(
    assessment: Assessment,
    *,
    status: str,
    answers: dict[str, AnswerInput],
    reviews: dict[str, ReviewInput] | None,
    review_comment: str,
    actor: Any,
    source: str,
) -> None:
    """Walk the assessment through the web's steps up to the file's status, so each step
    is checked and audited as if done by hand."""
    assessment_save_answers(assessment=assessment, answers=answers, actor=actor, source=source)
    if status != "draft":
        assessment_submit(assessment=assessment, actor=actor, source=source)
    if reviews:
        assessment_save_review(assessment=assessment, reviews=reviews, actor=actor, source=source)
    if status == "validated":
        assessment_validate(
            assessment=assessment, actor=actor, comment=review_comment, source=source
        )
    assessment.refresh_from_db()


def _subject(
    data: dict[str, Any], institution: Institution, version: RubricVersion
) -> tuple[Unit | None, list[str]]:
    """The file's ``subject``: a unit code of the rubric's level, required for programme and
    course rubrics; absent (or null) for institution rubrics."""
    code = data.get("subject")
    level = version.level
    if level == Level.INSTITUTION:
        if code is not None:
            return None, [
                _("subject: %(slug)s assesses the whole institution; give no subject")
                % {"slug": version.rubric.slug}
            ]
        return None, []
    label = Level(level).label.lower()
    if not isinstance(code, str) or not code:
        return None, [
            _("subject: required, the code of the %(level)s this %(slug)s assessment is about")
            % {"level": label, "slug": version.rubric.slug}
        ]
    unit = Unit.objects.filter(institution=institution, code=code).first()
    if unit is None:
        return None, [
            _("subject: %(institution)s has no programme or course %(code)s")
            % {"institution": institution.code, "code": code}
        ]
    if unit.level != level:
        return None, [
            _("subject: %(code)s is a %(actual)s; %(slug)s assesses a %(level)s")
            % {
                "code": code,
                "actual": unit.get_level_display().lower(),
                "slug": version.rubric.slug,
                "level": label,
            }
        ]
    return unit, []


def _unchanged(
    assessment: Assessment,
    status: str,
    answers: dict[str, AnswerInput],
    reviews: dict[str, ReviewInput] | None,
    review_comment: str,
) -> bool:
    """Whether a submitted or validated assessment already holds what the file says."""
    if assessment.status != status:
        return False
    rows = responses_by_code(assessment)
    current = {
        code: (level_json(row.value, row.is_na), row.justification)
        for code, row in rows.items()
        if row.is_na or row.value is not None or row.justification
    }
    wanted = {code: (level_json(a.value, a.na), a.justification) for code, a in answers.items()}
    if current != wanted:
        return False
    for code, answer in answers.items():
        if answer.links is not None and answer.links.splitlines() != rows[code].links:
            return False
    if reviews is not None:
        current_review = {
            code: (level_json(row.reviewed_value, row.reviewed_na), row.review_comment)
            for code, row in rows.items()
            if row.reviewed_na or row.reviewed_value is not None or row.review_comment
        }
        wanted_review = {
            code: (level_json(r.value, r.na), r.comment)
            for code, r in reviews.items()
            if r.na or r.value is not None or r.comment
        }
        if current_review != wanted_review:
            return False
    return status != "validated" or assessment.review_comment == review_comment


def _is_level(value: Any) -> bool:
    if value is None or value == "na":
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        # NaN, Infinity and numbers too large to compare cheaply are no level of any scale.
        bounds.number(value)
    except bounds.BoundError:
        return False
    return True


def _text_problems(where: str, value: Any, limit: int) -> list[str]:
    """A text of the file over its limit or with a NUL, located by its JSON path."""
    if not isinstance(value, str):
        return []
    problem = bounds.text_refusal(value, limit, where=where)
    return [] if problem is None else [problem]


def _codes_problems(block: str, items: dict[str, Any]) -> list[str]:
    """Keys that are no criterion code at all: refused without echoing them back whole."""
    return [
        Problem(why, f"{block}.{code[:20]!r}…" if len(code) > 20 else f"{block}.{code!r}")
        for code in items
        if (why := bounds.text_problem(code, bounds.SHORT_TEXT_MAX))
    ]


def _links_problems(code: str, links: Any) -> list[str]:
    where = f"responses.{code}.evidence_links"
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        return [_("responses.%(code)s.evidence_links: must be a list of texts") % {"code": code}]
    if len("\n".join(link.strip() for link in links)) > bounds.LINKS_MAX:
        return [
            _("responses.%(code)s.evidence_links: at most %(limit)s characters in all")
            % {"code": code, "limit": bounds.LINKS_MAX}
        ]
    nul = _text_problems(where, "".join(links), bounds.LINKS_MAX)
    if nul:
        return nul
    # One link per entry: stored one per line, a blank or multi-line entry would not come back.
    bad = [
        json.dumps(link, ensure_ascii=False)
        for link in links
        if len(link.strip().splitlines()) != 1 or invalid_links(link)
    ]
    if bad:
        return [
            _("%(code)s: not a web address (http or https): %(links)s")
            % {"code": where, "links": ", ".join(bad)}
        ]
    return []


def _check_portable_shape(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return [_("the file must hold a JSON object")]
    problems = []
    for key in IDENTITY_KEYS:
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(_("%(field)s: required, a text") % {"field": key})
        else:
            # Looked up in the database next: PostgreSQL refuses a NUL with an error.
            problems.extend(_text_problems(key, data[key], bounds.SHORT_TEXT_MAX))
    subject = data.get("subject")
    if subject is not None and not isinstance(subject, str):
        problems.append(_("subject: must be a unit code (a text) or null"))
    elif subject:
        problems.extend(_text_problems("subject", subject, bounds.SHORT_TEXT_MAX))
    status = data.get("status")
    if isinstance(status, str) and status not in PORTABLE_STATUSES:
        problems.append(_("status: must be draft, submitted or validated"))
    responses = data.get("responses")
    if not isinstance(responses, dict):
        problems.append(_("responses: required, an object keyed by criterion code"))
    elif bad_codes := _codes_problems("responses", responses):
        problems.extend(bad_codes)
    else:
        for code, item in responses.items():
            if not isinstance(item, dict):
                problems.append(_("responses.%(code)s: must be an object") % {"code": code})
                continue
            if not _is_level(item.get("value")):
                problems.append(
                    _('responses.%(code)s.value: must be a number, "na" or null') % {"code": code}
                )
            text = item.get("justification")
            if text is not None and not isinstance(text, str):
                problems.append(
                    _("responses.%(code)s.justification: must be a text") % {"code": code}
                )
            problems.extend(
                _text_problems(f"responses.{code}.justification", text, bounds.JUSTIFICATION_MAX)
            )
            if item.get("evidence_links") is not None:
                problems.extend(_links_problems(code, item["evidence_links"]))
    problems.extend(_review_shape_problems(data, status))
    return problems


def _review_shape_problems(data: dict[str, Any], status: Any) -> list[str]:
    problems = []
    review = data.get("review")
    if "review" not in data:
        if status == "validated":
            problems.append(
                _('status: a validated assessment needs its review (the "review" object)')
            )
    elif status not in ("submitted", "validated"):
        problems.append(_("review: only a submitted or validated assessment has a review"))
    elif not isinstance(review, dict):
        problems.append(_("review: must be an object keyed by criterion code"))
    elif bad_codes := _codes_problems("review", review):
        problems.extend(bad_codes)
    else:
        for code, item in review.items():
            if not isinstance(item, dict):
                problems.append(_("review.%(code)s: must be an object") % {"code": code})
                continue
            if not _is_level(item.get("value")):
                problems.append(
                    _('review.%(code)s.value: must be a number, "na" or null') % {"code": code}
                )
            comment = item.get("comment")
            if comment is not None and not isinstance(comment, str):
                problems.append(_("review.%(code)s.comment: must be a text") % {"code": code})
            problems.extend(_text_problems(f"review.{code}.comment", comment, bounds.COMMENT_MAX))
    comment = data.get("review_comment")
    if comment is not None and not isinstance(comment, str):
        problems.append(_("review_comment: must be a text"))
    elif comment and status != "validated":
        problems.append(
            _("review_comment: only a validated assessment has the reviewer's overall comment")
        )
    else:
        problems.extend(_text_problems("review_comment", comment, bounds.COMMENT_MAX))
    return problems
