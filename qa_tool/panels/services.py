"""Panel changes: set up, seats, a rater's levels and submission, the lead's final levels.

Each runs in one transaction and writes the assessment's audit trail; the final levels
reach the assessment through the assessments services (answers, or the review for an
external panel), so they follow the same checks and history as every other road.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_tool.access import PANEL_EXTERNAL, PANEL_SELF, can_join_panel, panel_is_open
from qa_tool.assessments.audit import Action, level_json, record
from qa_tool.assessments.models import Assessment, Status
from qa_tool.assessments.selectors import responses_by_code
from qa_tool.assessments.services import (
    AnswerInput,
    AssessmentError,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    check_answers,
)
from qa_tool.assessments.services.answers import answer_text_problems
from qa_tool.core.refusals import Problem

from . import consensus as core
from .models import FinalLevel, Panel, Rater, Rating
from .selectors import choice_of, consensus_rule, submitted_choices

PANEL = "panel"


def _refuse(what: str, where: str = "") -> AssessmentError:
    return AssessmentError([Problem(what, where)])


def panel_create(*, assessment: Assessment, kind: str, lead: Any, source: str = "web") -> Panel:
    """Give an assessment its panel (one per assessment) with ``lead`` as its lead."""
    if kind not in (PANEL_SELF, PANEL_EXTERNAL):
        raise _refuse(_("Unknown kind of panel."), "kind")
    if kind == PANEL_SELF and not assessment.is_editable:
        raise _refuse(_("A self-assessment panel needs an assessment that can still be changed."))
    if kind == PANEL_EXTERNAL and assessment.status != Status.SUBMITTED:
        raise _refuse(_("An external review panel needs a submitted assessment."))
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if Panel.objects.filter(assessment=assessment).exists():
            raise _refuse(_("This assessment already has a panel."))
        panel = Panel.objects.create(
            assessment=assessment, kind=kind, lead=lead if getattr(lead, "pk", None) else None
        )
        record(
            Action.STATUS,
            assessment=assessment,
            actor=lead,
            source=source,
            field="panel:created",
            after=kind,
        )
    return panel


def rater_add(
    *,
    panel: Panel,
    actor: Any,
    user: Any = None,
    label: str = "",
    perspective: str = "",
    source: str = "web",
) -> Rater:
    """Seat a person (who must be eligible for this kind of panel) or a file's label."""
    assessment = panel.assessment
    if user is not None and not can_join_panel(user, assessment, panel.kind):
        if panel.kind == PANEL_SELF:
            text = _("%(name)s is not a person of the assessed institution.")
        else:
            text = _("%(name)s may not rate this institution's assessment.")
        raise _refuse(text % {"name": user.get_username()}, "user")
    with transaction.atomic():
        if user is not None and Rater.objects.filter(panel=panel, user=user).exists():
            raise _refuse(
                _("%(name)s is already on the panel.") % {"name": user.get_username()}, "user"
            )
        rater = Rater.objects.create(
            panel=panel, user=user, label=label.strip(), perspective=perspective
        )
        record(
            Action.STATUS,
            assessment=assessment,
            actor=actor,
            source=source,
            field="panel:rater",
            after={"rater": rater.name, "perspective": perspective},
        )
    return rater


def rating_save(
    *, rater: Rater, answers: dict[str, AnswerInput], actor: Any = None
) -> dict[str, int]:
    """Save a rater's own levels (never anyone else's); returns each criterion's revision."""
    if rater.is_submitted:
        raise _refuse(_("You have submitted your ratings; they can no longer be changed."))
    if not panel_is_open(rater.panel):
        raise _refuse(_("The panel is closed: the assessment can no longer be changed."))
    version = rater.panel.assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.all()}
    problems = check_answers(criteria, set(version.spec.scale), answers)
    # The same typed-text limits as the answers (length, NUL).
    problems += answer_text_problems(answers)
    if problems:
        raise AssessmentError(problems)
    saved: dict[str, int] = {}
    with transaction.atomic():
        rows = {r.criterion.code: r for r in rater.ratings.select_related("criterion")}
        for code, answer in answers.items():
            row = rows.get(code) or Rating(rater=rater, criterion=criteria[code])
            new = (answer.value, answer.na, answer.justification)
            if row.pk and (row.value, row.is_na, row.justification) == new:
                saved[code] = row.revision
                continue
            row.value, row.is_na, row.justification = new
            row.revision += 1
            row.save()
            saved[code] = row.revision
    return saved


def rater_submit(*, rater: Rater, actor: Any = None, source: str = "web") -> None:
    """A rater hands in their levels: from now on they see the panel's consensus."""
    if rater.is_submitted:
        return
    if (
        not rater.ratings.filter(is_na=True).exists()
        and not rater.ratings.filter(value__isnull=False).exists()
    ):
        raise _refuse(_("Rate at least one criterion before submitting."))
    with transaction.atomic():
        rater.submitted_at = timezone.now()
        rater.save(update_fields=["submitted_at"])
        record(
            Action.STATUS,
            assessment=rater.panel.assessment,
            actor=actor,
            source=source,
            field="panel:submitted",
            after={"rater": rater.name},
        )


@dataclass(frozen=True)
class FinalInput:
    """The lead's level for a criterion: None for "the consensus", or a level / N/A with a
    justification (required when it differs from the consensus)."""

    value: Decimal | None = None
    na: bool = False
    use_consensus: bool = True
    justification: str = ""


def _consensus_by_code(panel: Panel) -> dict[str, core.Choice | None]:
    version = panel.assessment.rubric_version
    rule = consensus_rule(version)
    raters, table = submitted_choices(panel)
    out = {}
    for criterion in version.criteria.all():
        given = []
        for rater in raters:
            rating = table[rater.pk].get(criterion.code)
            choice = choice_of(rating.value, rating.is_na) if rating else None
            if choice is not None:
                given.append(choice)
        out[criterion.code] = core.consensus(given, rule)
    return out


def _as_value(choice: core.Choice | None) -> tuple[Decimal | None, bool]:
    if choice is None:
        return None, False
    if choice is core.NA:
        return None, True
    return Decimal(choice.numerator) / Decimal(choice.denominator), False  # type: ignore[union-attr]


Chosen = dict[str, tuple[Decimal | None, bool, str]]


def panel_confirm(
    *, panel: Panel, finals: dict[str, FinalInput], actor: Any, source: str = "web"
) -> None:
    """The lead confirms final levels; they become the assessment's answers (a
    self-assessment panel) or the reviewer's levels (an external panel)."""
    if not panel_is_open(panel):
        raise _refuse(_("The panel is closed: the assessment can no longer be changed."))
    criteria = {c.code: c for c in panel.assessment.rubric_version.criteria.all()}
    agreed = _consensus_by_code(panel)
    chosen = _checked_finals(panel, criteria, agreed, finals)
    with transaction.atomic():
        current = responses_by_code(panel.assessment)
        for code, (value, na, justification) in chosen.items():
            _keep_final(
                panel, criteria[code], (value, na, justification), agreed[code], actor, source
            )
        _write_finals(panel, chosen, current, actor)


def _checked_finals(
    panel: Panel,
    criteria: dict[str, Any],
    agreed: dict[str, core.Choice | None],
    finals: dict[str, FinalInput],
) -> Chosen:
    """Each final level as (value, N/A, justification), or every problem refused at once."""
    problems: list[Problem] = []
    chosen: Chosen = {}
    for code, final in finals.items():
        if code not in criteria:
            problems.append(Problem(_("no such criterion in this rubric"), code))
            continue
        agreed_level = _as_value(agreed[code])
        level = agreed_level if final.use_consensus else (final.value, final.na)
        if level == (None, False):
            continue  # nothing rated and nothing chosen: the criterion stays as it is
        differs = not final.use_consensus and level != agreed_level
        if differs and not final.justification.strip():
            problems.append(
                Problem(_("a level other than the consensus needs a justification"), code)
            )
        chosen[code] = (*level, final.justification.strip())
    problems.extend(
        Problem(p)
        for p in check_answers(
            criteria,
            set(panel.assessment.rubric_version.spec.scale),
            {code: AnswerInput(value=v, na=na) for code, (v, na, _j) in chosen.items()},
        )
    )
    problems += answer_text_problems(
        {code: AnswerInput(justification=j) for code, (_v, _na, j) in chosen.items()}
    )
    if problems:
        raise AssessmentError(problems)
    return chosen


def _keep_final(
    panel: Panel,
    criterion: Any,
    final: tuple[Decimal | None, bool, str],
    agreed: core.Choice | None,
    actor: Any,
    source: str,
) -> None:
    """Store the confirmed level beside the consensus; an override goes in the history."""
    value, na, justification = final
    agreed_value, agreed_na = _as_value(agreed)
    saved, _created = FinalLevel.objects.update_or_create(
        panel=panel,
        criterion=criterion,
        defaults={
            "value": value,
            "is_na": na,
            "consensus_value": agreed_value,
            "consensus_na": agreed_na,
            "justification": justification,
            "confirmed_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if saved.overridden:
        record(
            Action.ANSWER,
            assessment=panel.assessment,
            actor=actor,
            source=source,
            criterion=criterion.code,
            field="panel:override",
            before=level_json(agreed_value, agreed_na),
            after=level_json(value, na),
            comment=justification,
        )


def _write_finals(panel: Panel, chosen: Chosen, current: dict[str, Any], actor: Any) -> None:
    """The final levels onto the assessment through its services: the answers (the lead's
    justification, else the one already given), or for an external panel the review."""
    if panel.kind == PANEL_SELF:
        answers = {
            code: AnswerInput(
                value=value,
                na=na,
                justification=justification
                or (current[code].justification if code in current else ""),
            )
            for code, (value, na, justification) in chosen.items()
        }
        assessment_save_answers(
            assessment=panel.assessment, answers=answers, actor=actor, source=PANEL
        )
        return
    reviews = {
        code: ReviewInput(
            value=value,
            na=na,
            comment=justification or (current[code].review_comment if code in current else ""),
        )
        for code, (value, na, justification) in chosen.items()
    }
    assessment_save_review(assessment=panel.assessment, reviews=reviews, actor=actor, source=PANEL)
