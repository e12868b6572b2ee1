"""Changes to action plans, each in one transaction.

Generation proposes actions from the assessment's levels (see ``priorities``) and
never overwrites what an officer wrote. Reviewer comments are recorded in the
assessment's audit trail (action "review", field "action:comment"); the officer's
edits are recorded only in ``updated_by`` and ``updated_at`` of the action.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_tool.assessments.audit import WEB, Action, audit_event, record, record_all
from qa_tool.assessments.models import Assessment
from qa_tool.assessments.selectors import headline_answers
from qa_tool.assessments.services import AssessmentError
from qa_tool.core import bounds
from qa_tool.core.numbers import rounded
from qa_tool.core.refusals import Problem
from rubrics import scoring

from .models import ActionItem, ActionStatus
from .priorities import propose_actions

OWNER_MAX_LENGTH = ActionItem._meta.get_field("owner").max_length or bounds.SHORT_TEXT_MAX


class ActionPlanError(AssessmentError):
    """A refused change of an action plan, with every reason; nothing was saved."""


def _decimal(value: Fraction) -> Decimal:
    """A stored decimal (4 places, half away from zero) of an exact fraction."""
    return rounded(value, 4)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def action_plan_generate(*, assessment: Assessment, actor: Any = None, source: str = WEB) -> int:
    """Create the actions the plan lacks; return how many were created.

    Levels are the headline's: once validated the reviewer's where one was given, else
    the self-assessed ones (see ``assessment_scores``).
    Idempotent: an action that exists keeps its text, owner, due date, status,
    target and comment; only its current level, tier, rank and gain are refreshed.
    Actions whose criterion no longer needs one (now at the top level, N/A or
    unanswered) are kept, ranked after the proposals, with a gain of 0.
    """
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.all()}
    answers = headline_answers(assessment)
    proposals = propose_actions(
        version.spec,
        answers,
        recommendations={code: c.recommendations for code, c in criteria.items()},
        plan_target=version.plan_target,
    )
    user = _user(actor)
    with transaction.atomic():
        # Lock the assessment row: two generations of one plan queue here.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        existing = {
            item.criterion_id: item
            for item in ActionItem.objects.filter(assessment=assessment).order_by("rank", "pk")
        }
        now = timezone.now()
        to_create, to_update = _synchronise(assessment, criteria, proposals, existing, user)
        to_update += _no_longer_needed(criteria, answers, existing, first_rank=len(proposals) + 1)
        ActionItem.objects.bulk_create(to_create)
        if to_create:
            record_all(
                audit_event(
                    Action.PLAN,
                    assessment=assessment,
                    actor=actor,
                    source=source,
                    criterion=item.criterion.code,
                    field="action:created",
                    after=_audit_value(item.target_value),
                )
                for item in to_create
            )
        for item in to_update:
            item.updated_at = now
        ActionItem.objects.bulk_update(
            to_update, ["current_value", "tier", "rank", "gain", "updated_at"]
        )
    return len(to_create)


def _synchronise(
    assessment: Assessment,
    criteria: dict[str, Any],
    proposals: list[Any],
    existing: dict[int, ActionItem],
    user: Any,
) -> tuple[list[ActionItem], list[ActionItem]]:
    """New actions for proposals without one; refreshed level, tier, rank and gain for the
    rest (their text, owner, dates, status, target and comment stay). Takes the matched
    items out of ``existing``."""
    to_create, to_update = [], []
    for proposal in proposals:
        criterion = criteria[proposal.code]
        item = existing.pop(criterion.pk, None)
        fields = {
            "current_value": _decimal(proposal.current_value),
            "tier": proposal.tier,
            "rank": proposal.rank,
            # A profile rubric (overall: none) has no gain; 0 keeps the column non-null and is
            # never shown (see ``plan_gain``).
            "gain": _decimal(proposal.gain or Fraction(0)),
        }
        if item is None:
            to_create.append(
                ActionItem(
                    assessment=assessment,
                    criterion=criterion,
                    target_value=_decimal(proposal.target_value),
                    updated_by=user,
                    **fields,
                )
            )
            continue
        for name, value in fields.items():
            setattr(item, name, value)
        to_update.append(item)
    return to_create, to_update


def _no_longer_needed(
    criteria: dict[str, Any],
    answers: dict[str, Any],
    existing: dict[int, ActionItem],
    *,
    first_rank: int,
) -> list[ActionItem]:
    """Actions whose criterion needs none any more: kept after the proposals, gain 0."""
    by_pk = {c.pk: c for c in criteria.values()}
    kept = []
    for rank, item in enumerate(existing.values(), start=first_rank):
        criterion = by_pk.get(item.criterion_id)
        answer = answers.get(criterion.code) if criterion else None
        if answer is not None and answer.value is not None:
            item.current_value = _decimal(answer.value)
        item.rank = rank
        item.gain = Decimal(0)
        kept.append(item)
    return kept


def action_update(
    *,
    item: ActionItem,
    actor: Any,
    text: str,
    owner: str,
    due_date: datetime.date | None,
    status: str,
    target_value: Any,
    source: str = WEB,
) -> None:
    """Save the officer's edit of an action, or raise ActionPlanError with every reason."""
    owner = (owner or "").strip()
    target, problems = _edit_problems(item, target_value, status, owner, text or "")
    code = item.criterion.code
    if problems or target is None:  # no target means a problem was found
        raise ActionPlanError(problems)
    new = {
        "text": (text or "").strip(),
        "owner": owner,
        "due_date": due_date,
        "status": status,
        "target_value": _decimal(target),
    }
    events = [
        audit_event(
            Action.PLAN,
            assessment=item.assessment,
            actor=actor,
            source=source,
            criterion=code,
            field=f"action:{field}",
            before=_audit_value(getattr(item, field)),
            after=_audit_value(value),
        )
        for field, value in new.items()
        if getattr(item, field) != value
    ]
    with transaction.atomic():
        for field, value in new.items():
            setattr(item, field, value)
        record_all(events)
        item.updated_by = _user(actor)
        item.save(
            update_fields=[
                "text",
                "owner",
                "due_date",
                "status",
                "target_value",
                "updated_by",
                "updated_at",
            ]
        )


def _edit_problems(
    item: ActionItem, target_value: Any, status: str, owner: str, text: str
) -> tuple[Fraction | None, list[str]]:
    """The bounded target level and every reason the edit cannot be saved."""
    scale = item.assessment.rubric_version.spec.scale
    problems: list[str] = []
    try:
        # Bounded first: exact() of 1e999999999 ties the worker up; NaN has no fraction.
        target = scoring.exact(bounds.number(target_value))
    except (TypeError, ValueError, ArithmeticError):
        target = None
    current = scoring.exact(item.current_value)
    code = item.criterion.code
    if target is None or target not in scale:
        allowed = ", ".join(str(scoring.plain_number(v)) for v in scale)
        problems.append(
            _("%(code)s: the target level must be a level of the scale (%(allowed)s).")
            % {"code": code, "allowed": allowed}
        )
    elif target <= current:
        problems.append(
            _(
                "%(code)s: the target level must be above the current level (%(current)s); "
                "%(target)s is not."
            )
            % {
                "code": code,
                "current": scoring.plain_number(current),
                "target": scoring.plain_number(target),
            }
        )
    if status not in ActionStatus.values:
        problems.append(
            _("%(code)s: unknown status %(status)s.") % {"code": code, "status": status}
        )
    if len(owner) > OWNER_MAX_LENGTH:
        problems.append(
            _("%(code)s: the owner may have at most %(max)s characters.")
            % {"code": code, "max": OWNER_MAX_LENGTH}
        )
    elif "\x00" in owner:
        problems.extend(_text_problems(code, ((_("Owner"), owner, OWNER_MAX_LENGTH),)))
    problems.extend(_text_problems(code, ((_("Action"), text or "", bounds.COMMENT_MAX),)))
    return target, problems


def _text_problems(code: str, texts: tuple[tuple[str, str, int], ...]) -> list[Problem]:
    """Texts over their limit or with a NUL (which PostgreSQL cannot store), located by code."""
    return [
        problem
        for field, value, limit in texts
        if (problem := bounds.text_refusal(value, limit, where=code, field=field))
    ]


def _audit_value(value: Any) -> Any:
    """Dates and decimals as JSON-friendly text for the audit trail."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(scoring.plain_number(scoring.exact(value)))
    return value


def action_comment(*, item: ActionItem, actor: Any, comment: str, source: str = WEB) -> bool:
    """Save a reviewer's comment on an action; return whether it changed (audited).

    Raises ActionPlanError for a comment over its limit or with a NUL; nothing is saved.
    """
    comment = (comment or "").strip()
    problems = _text_problems(
        item.criterion.code, ((_("Reviewer's comment"), comment, bounds.COMMENT_MAX),)
    )
    if problems:
        raise ActionPlanError(problems)
    old = item.reviewer_comment
    if comment == old:
        return False
    with transaction.atomic():
        item.reviewer_comment = comment
        item.save(update_fields=["reviewer_comment", "updated_at"])
        record(
            Action.REVIEW,
            assessment=item.assessment,
            actor=actor,
            source=source,
            criterion=item.criterion.code,
            field="action:comment",
            before=old,
            after=comment,
        )
    return True
