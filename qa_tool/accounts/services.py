"""Recording and ending signed-in sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from .models import UserSession


def _store(session_key: str) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _stale_before() -> datetime:
    longest = max(settings.SESSION_COOKIE_AGE, settings.QA_SESSION_IDLE_MINUTES * 60)
    return timezone.now() - timedelta(seconds=longest)


@transaction.atomic
def user_session_record(*, user, session_key: str, ip: str | None, user_agent: str) -> UserSession:
    """A new sign-in. Also forgets this person's sessions that can no longer be alive,
    whose browsers simply never came back."""
    UserSession.objects.filter(user=user, last_seen__lt=_stale_before()).delete()
    row, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "last_seen": timezone.now(), "ip": ip, "user_agent": user_agent},
    )
    return row


@transaction.atomic
def user_session_touch(*, user, session_key: str, ip: str | None, user_agent: str) -> None:
    updated = UserSession.objects.filter(session_key=session_key, user=user).update(
        last_seen=timezone.now(), ip=ip, user_agent=user_agent
    )
    if not updated:
        # A session from before this table, or whose key was rotated (password change).
        user_session_record(user=user, session_key=session_key, ip=ip, user_agent=user_agent)


@transaction.atomic
def user_session_forget(*, session_key: str) -> None:
    """The session was signed out normally; the store clears itself."""
    UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def user_session_end(*, user_session: UserSession) -> None:
    """Signs the session out wherever it is: its data leaves the session store, so its
    next request arrives anonymous."""
    _store(user_session.session_key).delete(user_session.session_key)
    user_session.delete()


@transaction.atomic
def user_sessions_end_others(*, user, keep_session_key: str) -> int:
    others = list(UserSession.objects.filter(user=user).exclude(session_key=keep_session_key))
    for row in others:
        user_session_end(user_session=row)
    return len(others)
