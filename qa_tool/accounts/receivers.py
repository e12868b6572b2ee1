"""Keeps the session list in step with signing in and out."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .language import remember_first_language
from .middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from .net import client_ip, user_agent
from .services import user_session_forget, user_session_record


@receiver(user_logged_in, dispatch_uid="qa_accounts_signed_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        remember_first_language(user=user, request=request)
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now
    if session.session_key is None:
        session.save()
    user_session_record(
        user=user,
        session_key=session.session_key,
        ip=client_ip(request),
        user_agent=user_agent(request),
    )


@receiver(user_logged_out, dispatch_uid="qa_accounts_signed_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        user_session_forget(session_key=session.session_key)
