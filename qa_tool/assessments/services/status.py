"""Status transitions: one place that moves an assessment and says so."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..audit import Action, record
from ..models import Assessment, Status
from ..notifications import notify_status_change
from ..signals import status_changed


def set_status(
    assessment: Assessment, status: str, *, actor: Any, source: str, comment: str = ""
) -> None:
    """Move a locked assessment to ``status`` inside the caller's transaction."""
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
    record(
        Action.STATUS,
        assessment=assessment,
        actor=actor,
        source=source,
        field="status",
        before=old,
        after=status,
        comment=comment,
    )
    # Benchmarks keep a stored summary that follows every transition (see benchmarks.apps).
    status_changed.send(sender=Assessment, assessment=assessment)
    transaction.on_commit(
        lambda: notify_status_change(assessment=assessment, actor=actor, comment=comment)
    )
