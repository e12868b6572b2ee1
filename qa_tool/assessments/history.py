"""The history page's rows: audit events told in the reader's words.

The audit trail stores field names and values as the code knows them ("level", 2,
"in_progress"); people read the rubric's level labels and the choices' labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from qa_tool.actions.models import ActionItem, ActionStatus
from rubrics.models import RubricVersion

from .models import Assessment, AuditEvent, Evidence, Response, Status

EMPTY = "—"


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    source: str
    action: str
    field: str
    criterion_code: str
    old: str | None
    new: str | None
    comment: str


def _verbose(model: Any, name: str) -> Callable[[], str]:
    return lambda: capfirst(model._meta.get_field(name).verbose_name)


def _level(version: RubricVersion) -> Callable[[Any], str]:
    def label(value: Any) -> str:
        if value == "na":
            return _("N/A")
        try:
            return version.level_label(value)
        except (TypeError, ValueError, ArithmeticError):
            return str(value)

    return label


def _choice(choices: type) -> Callable[[Any], str]:
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


def _text(value: Any) -> str:
    return str(value)


def _date(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _formats(version: RubricVersion) -> dict[str, tuple[Callable[[], str], Callable[[Any], str]]]:
    """For each recorded field name: its label and how its values read."""
    level = _level(version)
    return {
        "level": (_verbose(Response, "value"), level),
        "justification": (_verbose(Response, "justification"), _text),
        "links": (_verbose(Response, "evidence_links"), _text),
        "validated level": (_verbose(Response, "reviewed_value"), level),
        "review comment": (_verbose(Response, "review_comment"), _text),
        "status": (_verbose(Assessment, "status"), _choice(Status)),
        "file": (_verbose(Evidence, "original_name"), _text),
        "action:created": (_verbose(ActionItem, "target_value"), level),
        "action:target_value": (_verbose(ActionItem, "target_value"), level),
        "action:text": (_verbose(ActionItem, "text"), _text),
        "action:owner": (_verbose(ActionItem, "owner"), _text),
        "action:due_date": (_verbose(ActionItem, "due_date"), _date),
        "action:status": (_verbose(ActionItem, "status"), _choice(ActionStatus)),
        "action:comment": (_verbose(ActionItem, "reviewer_comment"), _text),
    }


def _shown(value: Any, read: Callable[[Any], str]) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dict) and set(value) == {"status"}:
        # The "created" event records the starting status as {"status": "draft"}.
        return _choice(Status)(value["status"])
    return read(value)


def history_rows(events: Iterable[AuditEvent], version: RubricVersion) -> list[HistoryRow]:
    """One display row per event; reads only the events (with their actor) and the version."""
    formats = _formats(version)
    rows = []
    for event in events:
        label, read = formats.get(event.field, (lambda name=event.field: name, _text))
        actor = event.actor
        rows.append(
            HistoryRow(
                at=event.at,
                actor=(actor.get_full_name() or actor.username) if actor else "",
                source=event.source,
                action=event.get_action_display(),
                field=label() if event.field else "",
                criterion_code=event.criterion_code,
                old=None if event.old is None and not event.field else _shown(event.old, read),
                new=None if event.new is None and not event.field else _shown(event.new, read),
                comment=event.comment,
            )
        )
    return rows
