"""Role decorators for views: who may open a page at all (what they may do there is
``qa_tool.access``). They read only the person's role flags, so every layer may use them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """Signed-in people for whom ``allowed(user)`` holds; everyone else gets 403."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_centre(user: Any) -> bool:
    """Reviewers and administrators of the coordinating centre: they see every institution."""
    return bool(user.is_authenticated and user.sees_all_institutions)


def is_institution_officer(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_officer and user.institution_id)


reviewer_required = role_required(is_centre)
officer_required = role_required(is_institution_officer)
administrator_required = role_required(lambda user: bool(user.is_administrator))
