"""Reading sessions and sign-in records."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import BooleanField, F, QuerySet, Value
from django.utils import timezone

from .models import UserSession


def live_sessions_of(user) -> list[UserSession]:
    """The person's sessions that could still make a request: present in the session
    store and active within the idle timeout."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    idle_since = timezone.now() - timedelta(minutes=settings.QA_SESSION_IDLE_MINUTES)
    rows = UserSession.objects.filter(user=user, last_seen__gte=idle_since).order_by("-last_seen")
    return [row for row in rows if store.exists(row.session_key)]


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
