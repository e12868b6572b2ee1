"""Request size, session activity and the second log-in step.

Installed after the authentication, OTP and message middleware (see settings).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from .net import client_ip, user_agent
from .services import user_session_touch
from .totp import has_confirmed_device, must_set_up_two_factor
from .uploads import is_too_large

LAST_ACTIVITY_KEY = "qa_last_activity"
SIGNED_IN_AT_KEY = "qa_signed_in_at"
# Seconds between two writes of the last-activity time: a session write on every request
# would cost a database update per page and asset.
TOUCH_INTERVAL = 60


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large_response(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/request_too_large.html",
        {"limit": settings.QA_MAX_REQUEST_BYTES, "size": _content_length(request)},
        status=413,
    )


class RequestSizeLimitMiddleware:
    """Refuses a body over QA_MAX_REQUEST_BYTES from its declared length, before any view
    or middleware reads it (Django only ever reads CONTENT_LENGTH bytes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _content_length(request) > settings.QA_MAX_REQUEST_BYTES:
            return too_large_response(request)
        response = self.get_response(request)
        if is_too_large(request):
            return too_large_response(request)
        return response


class SessionActivityMiddleware:
    """Signs out sessions idle for QA_SESSION_IDLE_MINUTES or older than
    SESSION_COOKIE_AGE, and keeps the user's session list up to date."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        session = request.session
        last = session.get(LAST_ACTIVITY_KEY)
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        idle_minutes = settings.QA_SESSION_IDLE_MINUTES
        if last is not None and now - last > idle_minutes * 60:
            logout(request)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)s minute without activity.",
                    "You were signed out after %(minutes)s minutes without activity.",
                    idle_minutes,
                )
                % {"minutes": idle_minutes},
            )
            return
        if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(
                request, gettext("Your session reached its maximum length. Please sign in again.")
            )
            return
        if last is None or now - last >= TOUCH_INTERVAL:
            session[LAST_ACTIVITY_KEY] = now
            if signed_in_at is None:
                # Signed in before this middleware existed: count from now.
                session[SIGNED_IN_AT_KEY] = now
            if session.session_key:
                user_session_touch(
                    user=request.user,
                    session_key=session.session_key,
                    ip=client_ip(request),
                    user_agent=user_agent(request),
                )


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


# Pages a half-signed-in person may still reach: signing out, changing the language and
# the two-factor pages themselves.
_ALWAYS_OPEN = {"login", "logout", "set_language", "admin:logout", "accounts:two_factor_verify"}


class TwoFactorMiddleware:
    """Sends a user with a confirmed device who has not entered a code this session to
    the code page, and (with QA_REQUIRE_2FA_STAFF) reviewers and administrators without a
    device to the set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():
            view_name = _view_name(request)
            if view_name not in _ALWAYS_OPEN:
                if has_confirmed_device(user):
                    target = reverse("accounts:two_factor_verify")
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{target}?{query}")
                if view_name != "accounts:two_factor" and must_set_up_two_factor(user):
                    return redirect("accounts:two_factor")
        return self.get_response(request)


class PersonLanguageMiddleware:
    """A signed-in person's pages are in their own language (``User.language``), whatever
    the browser asks; LocaleMiddleware's choice stays for everyone else and for people
    without a preference. Downloads follow, since exporters read the active language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user.is_authenticated and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
