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

from rubrics.models import RubricVersion

from .extensions import history_formats
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


def verbose_label(model: Any, name: str) -> Callable[[], str]:
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


def choice_reader(choices: type) -> Callable[[Any], str]:
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


def text_reader(value: Any) -> str:
    return str(value)


def date_reader(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _formats(version: RubricVersion) -> dict[str, tuple[Callable[[], str], Callable[[Any], str]]]:
    """For each recorded field name: its label and how its values read."""
    level = _level(version)
    return {
        "level": (verbose_label(Response, "value"), level),
        "justification": (verbose_label(Response, "justification"), text_reader),
        "links": (verbose_label(Response, "evidence_links"), text_reader),
        "validated level": (verbose_label(Response, "reviewed_value"), level),
        "review comment": (verbose_label(Response, "review_comment"), text_reader),
        "status": (verbose_label(Assessment, "status"), choice_reader(Status)),
        "file": (verbose_label(Evidence, "original_name"), text_reader),
        **history_formats(level),
    }


def _shown(value: Any, read: Callable[[Any], str]) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dict) and set(value) == {"status"}:
        # The "created" event records the starting status as {"status": "draft"}.
        return choice_reader(Status)(value["status"])
    return read(value)


def history_rows(events: Iterable[AuditEvent], version: RubricVersion) -> list[HistoryRow]:
    """One display row per event; reads only the events (with their actor) and the version."""
    formats = _formats(version)
    rows = []
    for event in events:
        label, read = formats.get(event.field, (lambda name=event.field: name, text_reader))
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
