"""Request size limit.

Installed after the authentication and message middleware (see settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .uploads import is_too_large


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
