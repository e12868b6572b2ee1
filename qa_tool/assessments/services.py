"""State changes of assessments. Each runs in one transaction and writes the audit trail.

Every road by which answers arrive (the web, the portable JSON file, later
the offline workbook) goes through ``assessment_save_answers`` so that
validation and audit happen once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_tool.core.refusals import Refusal
from qa_tool.institutions.models import Institution
from rubrics import scoring
from rubrics.models import Criterion, RubricVersion

from .evidence import check_upload, invalid_links
from .models import Assessment, AuditEvent, Cycle, Evidence, Response, Status
from .notifications import notify_status_change
from .signals import status_changed


class AssessmentError(Refusal):
    """A refused change to an assessment, with every reason; nothing was saved."""


@dataclass(frozen=True)
class AnswerInput:
    """What someone gives for a criterion: a level value, N/A, or nothing (clears the level)."""

    value: Decimal | None = None
    na: bool = False
    justification: str = ""
    links: str | None = None  # evidence links, one per line; None leaves them as they are


def _level_json(value: Any, na: bool) -> Any:
    """A level as the audit trail records it: "na", None, an int, or an exact decimal text."""
    if na:
        return "na"
    if value is None:
        return None
    number = scoring.plain_number(scoring.exact(value))
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


@dataclass(frozen=True)
class Conflict:
    """Someone else (or the saver elsewhere) saved this criterion after the saver loaded it."""

    code: str
    changed_by: str
    changed_at: Any
    theirs: dict[str, Any]
    yours: dict[str, Any]
    # The saver's own account in another tab looks like "someone else" but must not be named so.
    by_saver: bool = False


class AnswerConflict(AssessmentError):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(
            [
                _("%(code)s was changed in another tab or by another person since you opened it.")
                % {"code": c.code}
                if c.by_saver
                else _("%(code)s was changed by %(user)s since you opened it.")
                % {"code": c.code, "user": c.changed_by}
                for c in conflicts
            ]
        )


_FIELDS = ("level", "justification", "links")


def _row_fields(row: Response | None) -> dict[str, Any]:
    if row is None:
        return {"level": None, "justification": "", "links": ""}
    return {
        "level": _level_json(row.value, row.is_na),
        "justification": row.justification,
        "links": row.evidence_links,
    }


def _answer_fields(answer: AnswerInput, current: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": _level_json(answer.value, answer.na),
        "justification": answer.justification,
        "links": current["links"] if answer.links is None else answer.links,
    }


def assessment_save_answers(
    *,
    assessment: Assessment,
    answers: dict[str, AnswerInput],
    actor: Any = None,
    source: str = "web",
    base_revisions: dict[str, int] | None = None,
    changed_fields: dict[str, Collection[str]] | None = None,
) -> dict[str, int]:
    """Validate and save answers; return the revision of every criterion saved.

    All or nothing: any invalid answer raises AssessmentError and saves none.
    ``base_revisions`` are the revisions the saver loaded; where someone else
    has saved a different answer since, AnswerConflict is raised with what
    changed, and nothing is saved.

    ``changed_fields`` names, per criterion, the fields ("level",
    "justification", "links") the saver changed from what it loaded. For those
    criteria only these fields are compared and written: a field left as loaded
    is never written back, so an edit saved meanwhile elsewhere survives. A
    conflict needs the criterion changed on both sides since loading and a
    changed field that differs from what is saved; the identical change made
    elsewhere is none, and its revision is returned as if saved. Criteria
    without an entry keep the whole-answer comparison.
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
    base_revisions = base_revisions or {}
    with transaction.atomic():
        # Lock the assessment row: concurrent saves of one assessment queue here.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        existing = {
            r.criterion_id: r
            for r in Response.objects.select_related("updated_by").filter(assessment=assessment)
        }
        to_create, to_update, events, conflicts = [], [], [], []
        settled = {}
        for code, answer in answers.items():
            criterion = criteria[code]
            row = existing.get(criterion.pk)
            old = _row_fields(row)
            new = _answer_fields(answer, old)
            mine = changed_fields.get(code) if changed_fields is not None else None
            if mine is not None:
                # What the saver left as loaded stays as the database has it now.
                new = {f: new[f] if f in mine else old[f] for f in _FIELDS}
            changed = [f for f in _FIELDS if new[f] != old[f]]
            if not changed:
                if mine and row is not None:
                    settled[code] = row.revision  # the same change was saved elsewhere
                continue
            base = base_revisions.get(code)
            if row is not None and base is not None and row.revision != base:
                conflicts.append(
                    Conflict(
                        code=code,
                        changed_by=_person(row.updated_by),
                        changed_at=row.updated_at,
                        theirs=old,
                        yours=new,
                        by_saver=actor is not None and row.updated_by_id == actor.pk,
                    )
                )
                continue
            if row is None:
                row = Response(assessment=assessment, criterion=criterion)
            if "level" in changed:
                row.is_na = answer.na
                row.value = None if answer.na else answer.value
            row.justification = new["justification"]
            row.evidence_links = new["links"]
            row.updated_by = actor
            row.revision += 1
            events.extend(
                _event(assessment, actor, source, code, f, old[f], new[f]) for f in changed
            )
            (to_create if row.pk is None else to_update).append(row)
        if conflicts:
            raise AnswerConflict(conflicts)
        Response.objects.bulk_create(to_create)
        now = timezone.now()
        for row in to_update:
            row.updated_at = now
        Response.objects.bulk_update(
            to_update,
            [
                "value",
                "is_na",
                "justification",
                "evidence_links",
                "updated_by",
                "revision",
                "updated_at",
            ],
        )
        AuditEvent.objects.bulk_create(events)
        if to_create or to_update:
            Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)
    return settled | {row.criterion.code: row.revision for row in (*to_create, *to_update)}


def _person(user: Any) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.username


def _event(
    assessment, actor, source, code, field, old, new, action=AuditEvent.Action.ANSWER
) -> AuditEvent:
    return AuditEvent(
        assessment=assessment,
        actor=actor,
        action=action,
        criterion_code=code,
        field=field,
        old=old,
        new=new,
        source=source,
    )


def _set_status(
    assessment: Assessment, status: str, actor: Any, source: str, comment: str = ""
) -> None:
    old = assessment.status
    assessment.status = status
    fields = ["status", "updated_at"]
    if status == Status.SUBMITTED:
        assessment.submitted_at = timezone.now()
        fields.append("submitted_at")
    if status in (Status.RETURNED, Status.VALIDATED):
        assessment.review_comment = comment
        assessment.reviewed_at = timezone.now()
        assessment.reviewed_by = actor if getattr(actor, "pk", None) else None
        fields += ["review_comment", "reviewed_at", "reviewed_by"]
    assessment.save(update_fields=fields)
    AuditEvent.objects.create(
        assessment=assessment,
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditEvent.Action.STATUS,
        field="status",
        old=old,
        new=status,
        source=source,
        comment=comment,
    )
    # Benchmarks keep a stored summary that follows every transition (see benchmarks.apps).
    status_changed.send(sender=Assessment, assessment=assessment)
    transaction.on_commit(
        lambda: notify_status_change(assessment=assessment, actor=actor, comment=comment)
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


def submission_problems(assessment: Assessment) -> list[str]:
    """Why the assessment cannot be submitted yet (empty when it can)."""
    problems = []
    missing = missing_criteria(assessment)
    if missing:
        problems.append(
            _("Every criterion must be answered before submitting; missing: %(codes)s")
            % {"codes": ", ".join(missing)}
        )
    for code, links in (
        Response.objects.filter(assessment=assessment)
        .exclude(evidence_links="")
        .order_by("criterion__position")
        .values_list("criterion__code", "evidence_links")
    ):
        bad = invalid_links(links)
        if bad:
            problems.append(
                _("%(code)s: not a web address (http or https): %(links)s")
                % {"code": code, "links": ", ".join(bad)}
            )
    return problems


def assessment_submit(*, assessment: Assessment, actor: Any = None, source: str = "web") -> None:
    """Submit for review: only when every criterion is answered and every link is valid."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_editable:
            raise AssessmentError([_("Only a draft or returned assessment can be submitted.")])
        problems = submission_problems(locked)
        if problems:
            raise AssessmentError(problems)
        _set_status(locked, Status.SUBMITTED, actor, source)
    assessment.refresh_from_db()


# --- evidence files ---------------------------------------------------------------------------


def evidence_add(
    *, assessment: Assessment, criterion_code: str, upload: Any, actor: Any = None
) -> Evidence:
    """Attach an uploaded file to a criterion, or raise AssessmentError with the reason."""
    if not assessment.is_editable:
        raise AssessmentError([_("This assessment cannot be changed.")])
    criterion = assessment.rubric_version.criteria.filter(code=criterion_code).first()
    if criterion is None:
        raise AssessmentError(
            [_("%(code)s: no such criterion in this rubric") % {"code": criterion_code}]
        )
    name = Path(upload.name or "file").name[:255]
    kind, reason = check_upload(name, upload, upload.size, settings.EVIDENCE_MAX_BYTES)
    if kind is None:
        raise AssessmentError([reason])
    with transaction.atomic():
        evidence = Evidence(
            assessment=assessment,
            criterion=criterion,
            original_name=name,
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(name, upload, save=False)
        try:
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
        AuditEvent.objects.create(
            assessment=assessment,
            actor=evidence.uploaded_by,
            action=AuditEvent.Action.EVIDENCE,
            criterion_code=criterion.code,
            field="file",
            new=name,
            source="web",
        )
    return evidence


def evidence_remove(*, evidence: Evidence, actor: Any = None) -> None:
    assessment = evidence.assessment
    if not assessment.is_editable:
        raise AssessmentError([_("This assessment cannot be changed.")])
    with transaction.atomic():
        AuditEvent.objects.create(
            assessment=assessment,
            actor=actor if getattr(actor, "pk", None) else None,
            action=AuditEvent.Action.EVIDENCE,
            criterion_code=evidence.criterion.code,
            field="file",
            old=evidence.original_name,
            source="web",
        )
        stored = evidence.file.name
        storage = evidence.file.storage
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# --- review -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    """A reviewer's validated level (value, N/A, or None to keep the self-assessment) and comment."""

    value: Decimal | None = None
    na: bool = False
    comment: str = ""


def assessment_save_review(
    *, assessment: Assessment, reviews: dict[str, ReviewInput], actor: Any, source: str = "web"
) -> int:
    """Record the reviewer's levels and comments; return how many criteria changed."""
    if assessment.status != Status.SUBMITTED:
        raise AssessmentError([_("Only a submitted assessment can be reviewed.")])
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.all()}
    as_answers = {code: AnswerInput(value=r.value, na=r.na) for code, r in reviews.items()}
    problems = _check_answers(criteria, set(version.spec.scale), as_answers)
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        rows = {
            r.criterion.code: r
            for r in Response.objects.select_for_update()
            .select_related("criterion")
            .filter(assessment=assessment)
        }
        changed_rows, events = [], []
        for code, review in reviews.items():
            row = rows.get(code) or Response(assessment=assessment, criterion=criteria[code])
            old_level = _level_json(row.reviewed_value, row.reviewed_na)
            new_level = _level_json(review.value, review.na)
            changed = False
            for field, old, new in (
                ("validated level", old_level, new_level),
                ("review comment", row.review_comment, review.comment),
            ):
                if old != new:
                    changed = True
                    events.append(
                        _event(
                            assessment,
                            actor,
                            source,
                            code,
                            field,
                            old,
                            new,
                            AuditEvent.Action.REVIEW,
                        )
                    )
            if changed:
                row.reviewed_value = None if review.na else review.value
                row.reviewed_na = review.na
                row.review_comment = review.comment
                row.reviewed_by = actor
                changed_rows.append(row)
        for row in changed_rows:
            row.save()
        AuditEvent.objects.bulk_create(events)
    return len(changed_rows)


def assessment_return(*, assessment: Assessment, actor: Any, comment: str) -> None:
    """Send a submitted assessment back to the institution for changes."""
    if not comment.strip():
        raise AssessmentError([_("Say what the institution should change.")])
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.SUBMITTED:
            raise AssessmentError([_("Only a submitted assessment can be returned.")])
        _set_status(locked, Status.RETURNED, actor, "web", comment.strip())
    assessment.refresh_from_db()


def assessment_validate(
    *, assessment: Assessment, actor: Any, comment: str = "", source: str = "web"
) -> None:
    """Validate a submitted assessment: final."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.SUBMITTED:
            raise AssessmentError([_("Only a submitted assessment can be validated.")])
        _set_status(locked, Status.VALIDATED, actor, source, comment.strip())
    assessment.refresh_from_db()
