"""Answers: starting an assessment, saving answers from any road (web, file, workbook,
demo) with validation, conflict detection and audit, and submitting."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem
from qa_tool.institutions.models import Institution, Level, Unit
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.models import Criterion, RubricVersion

from ..audit import WEB, Action, audit_event, level_json, record, record_all
from ..evidence import invalid_links
from ..models import Assessment, Cycle, Response, Status
from ..selectors import criteria_missing_evidence
from .errors import AnswerConflict, AssessmentError, Conflict
from .status import set_status

FIELDS = ("level", "justification", "links")
WRITTEN = (
    "value",
    "is_na",
    "justification",
    "evidence_links",
    "updated_by",
    "revision",
    "updated_at",
)


@dataclass(frozen=True)
class AnswerInput:
    """What someone gives for a criterion: a level value, N/A, or nothing (clears the level)."""

    value: Decimal | None = None
    na: bool = False
    justification: str = ""
    links: str | None = None  # evidence links, one per line; None leaves them as they are


def assessment_start(
    *,
    institution: Institution,
    rubric_version: RubricVersion,
    cycle: Cycle,
    actor: Any = None,
    subject: Unit | None = None,
    campaign: Any = None,
    source: str = WEB,
) -> tuple[Assessment, bool]:
    """Open the institution's assessment of this subject for this rubric version and cycle,
    creating it once. The subject is a unit of the rubric's level (programme or course) of
    the same institution, or None for an institution-level rubric."""
    problems = subject_problems(
        institution=institution, rubric_version=rubric_version, subject=subject
    )
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        assessment, created = Assessment.objects.get_or_create(
            institution=institution,
            rubric_version=rubric_version,
            cycle=cycle,
            subject=subject,
            defaults={
                "created_by": actor if getattr(actor, "pk", None) else None,
                "campaign": campaign,
            },
        )
        if created:
            record(
                Action.CREATED,
                assessment=assessment,
                actor=actor,
                source=source,
                after={"status": assessment.status},
            )
    return assessment, created


def subject_problems(
    *, institution: Institution, rubric_version: RubricVersion, subject: Unit | None
) -> list[Problem]:
    """Why ``subject`` cannot be the subject of this rubric's assessment (none when it can)."""
    level = rubric_version.level
    if level == Level.INSTITUTION:
        if subject is not None:
            return [
                Problem(_("this rubric assesses the whole institution; give no subject"), "subject")
            ]
        return []
    if subject is None:
        return [
            Problem(
                _("this rubric assesses one %(level)s; name it by its code")
                % {"level": Level(level).label.lower()},
                "subject",
            )
        ]
    if subject.institution_id != institution.pk:
        return [
            Problem(
                _("%(code)s is not a unit of %(institution)s")
                % {"code": subject.code, "institution": institution.code},
                "subject",
            )
        ]
    if subject.level != level:
        return [
            Problem(
                _("%(code)s is a %(actual)s; this rubric assesses a %(level)s")
                % {
                    "code": subject.code,
                    "actual": Level(subject.level).label.lower(),
                    "level": Level(level).label.lower(),
                },
                "subject",
            )
        ]
    return []


def check_answers(
    criteria: dict[str, Criterion], scale: set[Any], answers: dict[str, AnswerInput]
) -> list[str]:
    """Every problem of these answers against the rubric (unknown codes, N/A, scale)."""
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
        elif answer.value is not None and (bad := _number_problem(answer.value)):
            # Checked before any arithmetic: Fraction(1e999999999) alone ties a worker up.
            problems.append(Problem(bad, code))
        elif answer.value is not None and scoring.exact(answer.value) not in scale:
            allowed = ", ".join(str(scoring.plain_number(v)) for v in sorted(scale))
            problems.append(
                _("%(code)s: %(value)s is not a level of the scale (%(allowed)s)")
                % {"code": code, "value": answer.value, "allowed": allowed}
            )
    return problems


def _number_problem(value: Any) -> str | None:
    try:
        bounds.number(value)
    except bounds.BoundError as error:
        return str(error)
    return None


def text_problem(field: str, value: str, limit: int, where: str) -> Problem | None:
    """A located refusal of a typed text over its limit or with a NUL, or None."""
    return bounds.text_refusal(value, limit, where=where, field=field)


def answer_text_problems(answers: dict[str, AnswerInput]) -> list[Problem]:
    """Every justification and links text over its limit or with a NUL, located by code."""
    problems = []
    for code, answer in answers.items():
        for label, value, limit in (
            (_("Justification"), answer.justification, bounds.JUSTIFICATION_MAX),
            (_("Evidence links"), answer.links, bounds.LINKS_MAX),
        ):
            found = None if value is None else text_problem(label, value, limit, code)
            if found is not None:
                problems.append(found)
    return problems


def _row_fields(row: Response | None) -> dict[str, Any]:
    if row is None:
        return {"level": None, "justification": "", "links": ""}
    return {
        "level": level_json(row.value, row.is_na),
        "justification": row.justification,
        "links": row.evidence_links,
    }


def _answer_fields(answer: AnswerInput, current: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": level_json(answer.value, answer.na),
        "justification": answer.justification,
        "links": current["links"] if answer.links is None else answer.links,
    }


def _person(user: Any) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.username


@dataclass
class _Saves:
    """What one save will write, worked out before anything is written."""

    to_create: list[Response] = field(default_factory=list)
    to_update: list[Response] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    settled: dict[str, int] = field(default_factory=dict)


def assessment_save_answers(
    *,
    assessment: Assessment,
    answers: dict[str, AnswerInput],
    actor: Any = None,
    source: str = WEB,
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
    # Every road (web, autosave, file, workbook, demo) meets the limits here, so nothing
    # over them is stored: a 2,000,000-character justification made its PDF take minutes.
    problems = check_answers(criteria, set(version.spec.scale), answers)
    problems += answer_text_problems(answers)
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        # Lock the assessment row: concurrent saves of one assessment queue here.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        saves = _work_out(
            assessment, criteria, answers, actor, source, base_revisions or {}, changed_fields
        )
        if saves.conflicts:
            raise AnswerConflict(saves.conflicts)
        _write(assessment, saves)
    written = (*saves.to_create, *saves.to_update)
    return saves.settled | {row.criterion.code: row.revision for row in written}


def _work_out(
    assessment: Assessment,
    criteria: dict[str, Criterion],
    answers: dict[str, AnswerInput],
    actor: Any,
    source: str,
    base_revisions: dict[str, int],
    changed_fields: dict[str, Collection[str]] | None,
) -> _Saves:
    actor = actor if getattr(actor, "pk", None) else None
    existing = {
        r.criterion_id: r
        for r in Response.objects.select_related("updated_by").filter(assessment=assessment)
    }
    saves = _Saves()
    for code, answer in answers.items():
        row = existing.get(criteria[code].pk)
        old = _row_fields(row)
        new = _answer_fields(answer, old)
        mine = changed_fields.get(code) if changed_fields is not None else None
        if mine is not None:
            # What the saver left as loaded stays as the database has it now.
            new = {f: new[f] if f in mine else old[f] for f in FIELDS}
        changed = [f for f in FIELDS if new[f] != old[f]]
        if not changed:
            if mine and row is not None:
                saves.settled[code] = row.revision  # the same change was saved elsewhere
            continue
        base = base_revisions.get(code)
        if row is not None and base is not None and row.revision != base:
            saves.conflicts.append(_conflict(code, row, old, new, actor))
            continue
        row = row or Response(assessment=assessment, criterion=criteria[code])
        _apply(row, answer, new, changed, actor)
        saves.events.extend(
            audit_event(
                Action.ANSWER,
                assessment=assessment,
                actor=actor,
                source=source,
                criterion=code,
                field=f,
                before=old[f],
                after=new[f],
            )
            for f in changed
        )
        (saves.to_create if row.pk is None else saves.to_update).append(row)
    return saves


def _conflict(code: str, row: Response, old: dict, new: dict, actor: Any) -> Conflict:
    return Conflict(
        code=code,
        changed_by=_person(row.updated_by),
        changed_at=row.updated_at,
        theirs=old,
        yours=new,
        by_saver=actor is not None and row.updated_by_id == actor.pk,
    )


def _apply(row: Response, answer: AnswerInput, new: dict, changed: list[str], actor: Any) -> None:
    if "level" in changed:
        row.is_na = answer.na
        row.value = None if answer.na else answer.value
    row.justification = new["justification"]
    row.evidence_links = new["links"]
    row.updated_by = actor
    row.revision += 1


def _write(assessment: Assessment, saves: _Saves) -> None:
    Response.objects.bulk_create(saves.to_create)
    now = timezone.now()
    for row in saves.to_update:
        row.updated_at = now
    Response.objects.bulk_update(saves.to_update, WRITTEN)
    record_all(saves.events)
    if saves.to_create or saves.to_update:
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)


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
    """Why the assessment cannot be submitted yet (empty when it can).

    Every road that submits (the wizard, the offline workbook, the portable file) goes
    through ``assessment_submit`` and so through here."""
    problems: list[str] = []
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
    language = get_language()
    problems.extend(
        Problem(
            _(
                "%(text)s: the rubric requires evidence for this criterion; add at least one "
                "evidence link or file."
            )
            % {"text": localize(criterion.text, language)},
            criterion.code,
        )
        for criterion in criteria_missing_evidence(assessment)
    )
    return problems


def assessment_submit(*, assessment: Assessment, actor: Any = None, source: str = WEB) -> None:
    """Submit for review: only when every criterion is answered and every link is valid."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_editable:
            raise AssessmentError([_("Only a draft or returned assessment can be submitted.")])
        problems = submission_problems(locked)
        if problems:
            raise AssessmentError(problems)
        set_status(locked, Status.SUBMITTED, actor=actor, source=source)
    assessment.refresh_from_db()
