"""Sessions, two-factor set-up and the second log-in step, the sign-in log, the lock-out page."""

from __future__ import annotations

from datetime import timedelta

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from .forms import CodeForm
from .models import UserSession
from .selectors import live_sessions_of, sign_in_events
from .services import user_session_end, user_sessions_end_others
from .totp import (
    has_confirmed_device,
    must_set_up_two_factor,
    pending_device,
    qr_svg,
    totp_disable,
    totp_setup_confirm,
    totp_setup_start,
    totp_verify,
)

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
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            totp_setup_start(user=user)
            return redirect("accounts:two_factor")
        form = CodeForm(request.POST)
        if action == "confirm" and form.is_valid():
            device = totp_setup_confirm(user=user, token=form.cleaned_data["otp_token"])
            if device is not None:
                # The code just given proves the second factor for this session too.
                django_otp.login(request, device)
                messages.success(request, gettext("Two-factor authentication is on."))
                return redirect("accounts:two_factor")
            form.add_error("otp_token", gettext("That code is not valid. Try the current one."))
        elif action == "disable" and form.is_valid():
            if totp_disable(user=user, token=form.cleaned_data["otp_token"]):
                messages.success(request, gettext("Two-factor authentication is off."))
                return redirect("accounts:two_factor")
            form.add_error("otp_token", gettext("That code is not valid. Try the current one."))
    confirmed = has_confirmed_device(user)
    pending = None if confirmed else pending_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "confirmed": confirmed,
            "pending": pending,
            "otpauth_uri": pending.config_url if pending else "",
            "qr_svg": qr_svg(pending.config_url) if pending else "",
            "required": must_set_up_two_factor(user),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_verified() or not has_confirmed_device(request.user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=request.user, token=form.cleaned_data["otp_token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(next_url)
        form.add_error("otp_token", gettext("That code is not valid. Try the current one."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def sign_ins(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_administrator or user.is_staff):
        raise PermissionDenied
    page = Paginator(sign_in_events(), SIGN_IN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/sign_ins.html", {"page": page})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with the site's address in the e-mail, read when the e-mail is
    sent (as every other e-mail link is), not when the URLs are loaded."""

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_url": settings.SITE_URL}
