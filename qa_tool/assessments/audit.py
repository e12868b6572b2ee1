"""The one audit recorder: every write path (web, file, workbook, demo) records through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rubrics import scoring

from .models import Assessment, AuditEvent

Action = AuditEvent.Action

# Where a change came from, as the history page shows it.
WEB, FILE, WORKBOOK, DEMO = "web", "file", "workbook", "demo"
# Justifications and links carried over from another rubric's assessment through a crosswalk.
CROSSWALK = "crosswalk"


def level_json(value: Any, na: bool) -> Any:
    """A level as the audit trail records it: "na", None, an int, or an exact decimal text."""
    if na:
        return "na"
    if value is None:
        return None
    number = scoring.plain_number(scoring.exact(value))
    return number if isinstance(number, int) else str(number)


def audit_event(
    action: str,
    *,
    assessment: Assessment,
    actor: Any,
    source: str,
    field: str = "",
    before: Any = None,
    after: Any = None,
    criterion: str = "",
    comment: str = "",
) -> AuditEvent:
    """An unsaved event, for services that record many at once (see ``record_all``)."""
    return AuditEvent(
        assessment=assessment,
        # Commands and imports may act without a saved person.
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        criterion_code=criterion,
        field=field,
        old=before,
        new=after,
        source=source,
        comment=comment,
    )


def record(action: str, **fields: Any) -> AuditEvent:
    """Record one event now (inside the caller's transaction)."""
    event = audit_event(action, **fields)
    event.save()
    return event


def record_all(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events))
