"""Log-in throttling and lock-out (django-axes), and the sign-in log."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD

axes_on = override_settings(AXES_ENABLED=True)


def log_in(client, password, username="officer", **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password, "next": "/rubrics/"},
        HTTP_USER_AGENT="Test browser/1.0",
        **extra,
    )


@axes_on
def test_right_password_still_logs_in_and_follows_next(client, officer):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/rubrics/"
    assert client.session[SESSION_KEY] == str(officer.pk)


@axes_on
def test_lock_out_after_five_failures_even_with_the_right_password(client, officer):
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200
    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert "Log-in is blocked after 5 failed attempts." in page
    assert "Try again in 15 minutes." in page
    assert 'href="/static/qa_tool/site.css"' in page  # the site's page, not a bare text


@axes_on
def test_lock_out_page_is_translated(client, officer):
    for _ in range(5):
        log_in(client, "wrong")
    response = log_in(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 429
    assert 'dir="rtl"' in response.content.decode()


@axes_on
@pytest.mark.parametrize(
    ("command", "args"), [("axes_reset", []), ("axes_reset_username", ["officer"])]
)
def test_reset_commands_lift_the_lock_out(client, officer, command, args):
    for _ in range(5):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429
    call_command(command, *args)
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(officer.pk)


@axes_on
@override_settings(AXES_FAILURE_LIMIT=2)
def test_limit_comes_from_settings_and_other_users_are_not_locked(client, officer, dean):
    log_in(client, "wrong")
    assert log_in(client, "wrong").status_code == 429
    assert log_in(client, PASSWORD, username="dean").status_code == 302


@axes_on
def test_every_log_in_and_failure_is_recorded(client, officer):
    log_in(client, "wrong")
    log_in(client, PASSWORD)
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.user_agent) == (
        "officer",
        "127.0.0.1",
        "Test browser/1.0",
    )
    success = AccessLog.objects.get()
    assert (success.username, success.user_agent) == ("officer", "Test browser/1.0")
    # A successful log-in clears the failure count.
    assert not AccessAttempt.objects.exists()


def test_client_login_still_works_in_the_test_settings(client, officer):
    assert client.login(username="officer", password=PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200
