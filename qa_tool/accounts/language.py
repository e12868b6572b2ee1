"""Each person's own language: first set from the browser at the first log-in, changed on
the profile page or with the language switcher."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


@transaction.atomic
def user_language_set(*, user, language: str) -> bool:
    """Store ``language`` as the person's preference; False (and nothing changed) when it
    is not one of the site's languages."""
    if language not in LANGUAGE_CODES:
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True


def remember_first_language(*, user, request: HttpRequest) -> None:
    """At a log-in without a preference: keep the language LocaleMiddleware resolved
    (browser's Accept-Language, language cookie), so later e-mails use it too."""
    if user.language:
        return
    user_language_set(user=user, language=getattr(request, "LANGUAGE_CODE", ""))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, which also updates a signed-in person's preference
    (otherwise PersonLanguageMiddleware would keep the old one)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and check_for_language(language)
        and language in LANGUAGE_CODES
    ):
        user_language_set(user=request.user, language=language)
    return response
