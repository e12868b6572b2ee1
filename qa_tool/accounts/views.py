"""Sessions, the sign-in log, the lock-out page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from .models import UserSession
from .selectors import live_sessions_of, sign_in_events
from .services import user_session_end, user_sessions_end_others

SIGN_IN_PAGE_SIZE = 50


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE): the log-in page's look, with
    the numbers, instead of a bare text."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if isinstance(cooloff, timedelta) else None
    return render(
        request,
        "accounts/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": live_sessions_of(request.user),
            "current_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    # Only the person's own sessions: another person's id is a 404, not a 403.
    row = get_object_or_404(UserSession, pk=session_id, user=request.user)
    if row.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    user_session_end(user_session=row)
    messages.success(request, gettext("The session was signed out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    count = user_sessions_end_others(
        user=request.user, keep_session_key=request.session.session_key or ""
    )
    messages.success(
        request,
        ngettext(
            "%(count)s other session was signed out.",
            "%(count)s other sessions were signed out.",
            count,
        )
        % {"count": count},
    )
    return redirect("accounts:sessions")


@login_required
def sign_ins(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_administrator or user.is_staff):
        raise PermissionDenied
    page = Paginator(sign_in_events(), SIGN_IN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/sign_ins.html", {"page": page})
