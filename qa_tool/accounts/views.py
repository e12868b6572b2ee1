"""The sign-in log and the lock-out page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import sign_in_events

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
def sign_ins(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_administrator or user.is_staff):
        raise PermissionDenied
    page = Paginator(sign_in_events(), SIGN_IN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/sign_ins.html", {"page": page})
