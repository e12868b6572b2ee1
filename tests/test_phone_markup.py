"""Markup the phone and accessibility work relies on, checked without a browser."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse


def test_messages_are_announced_errors_at_once(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "base.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Draft saved."),
                Message(constants.INFO, "For your information."),
                Message(constants.ERROR, "Could not save."),
            ]
        },
        request=request,
    )
    assert '<div role="status">Draft saved.</div>' in html
    assert '<div role="status">For your information.</div>' in html
    assert '<div role="alert">Could not save.</div>' in html


def test_gzip_sits_after_security_and_whitenoise_before_the_rest(settings):
    middleware = settings.MIDDLEWARE
    gzip = middleware.index("django.middleware.gzip.GZipMiddleware")
    assert middleware.index("django.middleware.security.SecurityMiddleware") < gzip
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < gzip
    assert gzip == 2


def test_rubric_page_folds_each_criterion_s_levels(client, officer, rubric_version):
    client.force_login(officer)
    page = client.get(
        reverse("rubrics:version", args=[rubric_version.rubric.slug, rubric_version.version])
    ).content.decode()
    criteria = page.count('<article class="criterion"')
    assert criteria > 0
    assert page.count('<details class="levels-fold"><summary>') == criteria
