"""State changes of assessments. Each runs in one transaction and writes the audit trail.

Every road by which answers arrive (the web, the portable JSON file, later
the offline workbook) goes through ``assessment_save_answers`` so that
validation and audit happen once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_tool.institutions.models import Institution
from rubrics import scoring
from rubrics.models import Criterion, Rubric, RubricVersion

from .models import Assessment, AuditEvent, Cycle, Response, Status
from .selectors import responses_by_code


class AssessmentError(Exception):
    """A refused change, with every reason; nothing was saved."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class AnswerInput:
    """What someone gives for a criterion: a level value, N/A, or nothing (clears the level)."""

    value: Decimal | None = None
    na: bool = False
    justification: str = ""


def _json_value(row: Response) -> Any:
    if row.is_na:
        return "na"
    if row.value is None:
        return None
    number = scoring.plain_number(scoring.exact(row.value))
    return number if isinstance(number, int) else str(number)


def assessment_start(
    *,
    institution: Institution,
    rubric_version: RubricVersion,
    cycle: Cycle,
    actor: Any = None,
    subject: str = "",
) -> tuple[Assessment, bool]:
    """Open the institution's assessment for this rubric version and cycle, creating it once."""
    with transaction.atomic():
        assessment, created = Assessment.objects.get_or_create(
            institution=institution,
            rubric_version=rubric_version,
            cycle=cycle,
            subject=subject,
            defaults={"created_by": actor if getattr(actor, "pk", None) else None},
        )
        if created:
            AuditEvent.objects.create(
                assessment=assessment,
                actor=assessment.created_by,
                action=AuditEvent.Action.CREATED,
                new={"status": assessment.status},
            )
    return assessment, created


def _check_answers(
    criteria: dict[str, Criterion], scale: set[Any], answers: dict[str, AnswerInput]
) -> list[str]:
    problems = []
    for code, answer in answers.items():
        criterion = criteria.get(code)
        if criterion is None:
            problems.append(_("%(code)s: no such criterion in this rubric") % {"code": code})
            continue
        if answer.na and answer.value is not None:
            problems.append(_("%(code)s: give a level or N/A, not both") % {"code": code})
        elif answer.na and not criterion.allow_na:
            problems.append(_("%(code)s: N/A is not allowed for this criterion") % {"code": code})
        elif answer.value is not None and scoring.exact(answer.value) not in scale:
            allowed = ", ".join(str(scoring.plain_number(v)) for v in sorted(scale))
            problems.append(
                _("%(code)s: %(value)s is not a level of the scale (%(allowed)s)")
                % {"code": code, "value": answer.value, "allowed": allowed}
            )
    return problems


def assessment_save_answers(
    *,
    assessment: Assessment,
    answers: dict[str, AnswerInput],
    actor: Any = None,
    source: str = "web",
) -> int:
    """Validate and save answers; return how many criteria changed.

    All or nothing: any invalid answer raises AssessmentError and saves none.
    """
    if not assessment.is_editable:
        raise AssessmentError(
            [
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": assessment.get_status_display()}
            ]
        )
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.all()}
    problems = _check_answers(criteria, set(version.spec.scale), answers)
    if problems:
        raise AssessmentError(problems)

    actor = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        existing = {
            r.criterion_id: r
            for r in Response.objects.select_for_update().filter(assessment=assessment)
        }
        to_create, to_update, events = [], [], []
        for code, answer in answers.items():
            criterion = criteria[code]
            row = existing.get(criterion.pk)
            if row is None:
                row = Response(assessment=assessment, criterion=criterion)
                old_value, old_text = None, ""
            else:
                old_value, old_text = _json_value(row), row.justification
            row.is_na = answer.na
            row.value = None if answer.na else answer.value
            row.justification = answer.justification
            new_value = _json_value(row)
            changed = False
            if new_value != old_value:
                events.append(
                    _event(assessment, actor, source, code, "level", old_value, new_value)
                )
                changed = True
            if answer.justification != old_text:
                events.append(
                    _event(
                        assessment,
                        actor,
                        source,
                        code,
                        "justification",
                        old_text,
                        answer.justification,
                    )
                )
                changed = True
            if not changed:
                continue
            row.updated_by = actor
            row.revision += 1
            (to_create if row.pk is None else to_update).append(row)
        Response.objects.bulk_create(to_create)
        now = timezone.now()
        for row in to_update:
            row.updated_at = now
        Response.objects.bulk_update(
            to_update, ["value", "is_na", "justification", "updated_by", "revision", "updated_at"]
        )
        AuditEvent.objects.bulk_create(events)
        if to_create or to_update:
            Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)
    return len(to_create) + len(to_update)


def _event(assessment, actor, source, code, field, old, new) -> AuditEvent:
    return AuditEvent(
        assessment=assessment,
        actor=actor,
        action=AuditEvent.Action.ANSWER,
        criterion_code=code,
        field=field,
        old=old,
        new=new,
        source=source,
    )


def _set_status(assessment: Assessment, status: str, actor: Any, source: str) -> None:
    old = assessment.status
    assessment.status = status
    fields = ["status", "updated_at"]
    if status == Status.SUBMITTED:
        assessment.submitted_at = timezone.now()
        fields.append("submitted_at")
    assessment.save(update_fields=fields)
    AuditEvent.objects.create(
        assessment=assessment,
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditEvent.Action.STATUS,
        field="status",
        old=old,
        new=status,
        source=source,
    )


def missing_criteria(assessment: Assessment) -> list[str]:
    """Codes of criteria with neither a level nor N/A, in rubric order."""
    answered = set(
        Response.objects.filter(assessment=assessment)
        .filter(Q(is_na=True) | Q(value__isnull=False))
        .values_list("criterion_id", flat=True)
    )
    return [
        code
        for pk, code in assessment.rubric_version.criteria.order_by("position").values_list(
            "pk", "code"
        )
        if pk not in answered
    ]


def assessment_submit(*, assessment: Assessment, actor: Any = None, source: str = "web") -> None:
    """Submit for review: only when every criterion is answered."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not assessment.is_editable:
            raise AssessmentError([_("Only a draft or returned assessment can be submitted.")])
        missing = missing_criteria(assessment)
        if missing:
            raise AssessmentError(
                [
                    _("Every criterion must be answered before submitting; missing: %(codes)s")
                    % {"codes": ", ".join(missing)}
                ]
            )
        _set_status(assessment, Status.SUBMITTED, actor, source)


PORTABLE_STATUSES = ("draft", "submitted")


def assessment_import(*, data: Any, actor: Any = None, source: str = "file") -> Assessment:
    """Create or update an assessment from the portable JSON format, atomically."""
    problems = _check_portable_shape(data)
    if problems:
        raise AssessmentError(problems)
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
    if problems:
        raise AssessmentError(problems)

    answers = {}
    for code, item in data["responses"].items():
        raw = item.get("value")
        answers[code] = AnswerInput(
            value=None if raw in (None, "na") else Decimal(str(raw)),
            na=raw == "na",
            justification=item.get("justification") or "",
        )
    criteria = {c.code: c for c in version.criteria.all()}
    problems = _check_answers(criteria, set(version.spec.scale), answers)
    if data["status"] == "submitted":
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
    if problems:
        raise AssessmentError(problems)

    with transaction.atomic():
        cycle, _created = Cycle.objects.get_or_create(name=data["cycle"])
        assessment, _created = assessment_start(
            institution=institution, rubric_version=version, cycle=cycle, actor=actor
        )
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not assessment.is_editable:
            current = {
                code: (_json_value(row), row.justification)
                for code, row in responses_by_code(assessment).items()
                if row.is_na or row.value is not None or row.justification
            }
            wanted = {code: (_json_value_of(a), a.justification) for code, a in answers.items()}
            if data["status"] == "submitted" and current == wanted:
                return assessment  # the same submitted answers again: nothing to do
            raise AssessmentError(
                [
                    _(
                        "the assessment %(id)s is %(status)s; it can change only after a reviewer returns it"
                    )
                    % {"id": assessment.pk, "status": assessment.get_status_display()}
                ]
            )
        assessment_save_answers(assessment=assessment, answers=answers, actor=actor, source=source)
        if data["status"] == "submitted":
            assessment_submit(assessment=assessment, actor=actor, source=source)
            assessment.refresh_from_db()
    return assessment


def _json_value_of(answer: AnswerInput) -> Any:
    if answer.na:
        return "na"
    if answer.value is None:
        return None
    number = scoring.plain_number(scoring.exact(answer.value))
    return number if isinstance(number, int) else str(number)


def _check_portable_shape(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return [_("the file must hold a JSON object")]
    problems = []
    for key in ("institution", "rubric", "version", "cycle", "status"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(_("%(field)s: required, a text") % {"field": key})
    if isinstance(data.get("status"), str) and data["status"] not in PORTABLE_STATUSES:
        problems.append(_("status: must be draft or submitted"))
    responses = data.get("responses")
    if not isinstance(responses, dict):
        problems.append(_("responses: required, an object keyed by criterion code"))
        return problems
    for code, item in responses.items():
        if not isinstance(item, dict):
            problems.append(_("responses.%(code)s: must be an object") % {"code": code})
            continue
        value = item.get("value")
        if (
            value is not None
            and value != "na"
            and (isinstance(value, bool) or not isinstance(value, int | float))
        ):
            problems.append(
                _('responses.%(code)s.value: must be a number, "na" or null') % {"code": code}
            )
        text = item.get("justification")
        if text is not None and not isinstance(text, str):
            problems.append(_("responses.%(code)s.justification: must be a text") % {"code": code})
    return problems
