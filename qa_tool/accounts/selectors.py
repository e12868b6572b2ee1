"""Reading sign-in records."""

from __future__ import annotations

from axes.models import AccessFailureLog, AccessLog
from django.db.models import BooleanField, F, QuerySet, Value


def sign_in_events() -> QuerySet:
    """Successful and failed sign-ins, newest first, as rows of one shape."""
    fields = ("attempt_time", "username", "ip_address", "user_agent")
    # A union matches columns by position: both sides select the same fields, then the
    # same two annotations added in the same order.
    successes = (
        AccessLog.objects.values(*fields)
        .annotate(succeeded=Value(True, output_field=BooleanField()))
        .annotate(refused=Value(False, output_field=BooleanField()))
    )
    failures = (
        AccessFailureLog.objects.values(*fields)
        .annotate(succeeded=Value(False, output_field=BooleanField()))
        .annotate(refused=F("locked_out"))
    )
    return successes.union(failures, all=True).order_by("-attempt_time")
