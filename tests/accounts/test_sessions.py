"""Idle and absolute session timeouts, and the person's list of sessions."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from qa_tool.accounts.middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from qa_tool.accounts.models import UserSession


def signed_in(user, agent):
    client = Client(HTTP_USER_AGENT=agent)
    client.force_login(user)
    # force_login has no browser to record; the first request a minute later records it.
    age_session(client, LAST_ACTIVITY_KEY, 61)
    assert client.get(reverse("dashboard")).status_code == 200
    return client


def age_session(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_idle_session_is_signed_out_with_a_message(officer):
    client = signed_in(officer, "Laptop")
    age_session(client, LAST_ACTIVITY_KEY, 240 * 60 + 5)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert SESSION_KEY not in client.session
    assert "You were signed out after 240 minutes without activity." in response.content.decode()
    assert not UserSession.objects.filter(user=officer).exists()


def test_activity_within_the_idle_time_keeps_the_session(officer):
    client = signed_in(officer, "Laptop")
    age_session(client, LAST_ACTIVITY_KEY, 200 * 60)
    assert client.get(reverse("dashboard")).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5


@override_settings(QA_SESSION_IDLE_MINUTES=2)
def test_idle_minutes_come_from_settings(officer):
    client = signed_in(officer, "Laptop")
    age_session(client, LAST_ACTIVITY_KEY, 100)
    assert client.get(reverse("dashboard")).status_code == 200
    age_session(client, LAST_ACTIVITY_KEY, 150)
    response = client.get(reverse("dashboard"), follow=True)
    assert "You were signed out after 2 minutes without activity." in response.content.decode()


def test_last_activity_is_written_at_most_once_a_minute(officer):
    client = signed_in(officer, "Laptop")
    age_session(client, LAST_ACTIVITY_KEY, 30)
    before = client.session[LAST_ACTIVITY_KEY]
    client.get(reverse("dashboard"))
    assert client.session[LAST_ACTIVITY_KEY] == before
    age_session(client, LAST_ACTIVITY_KEY, 61)
    client.get(reverse("dashboard"))
    assert client.session[LAST_ACTIVITY_KEY] > before


@override_settings(SESSION_COOKIE_AGE=3600)
def test_session_older_than_the_absolute_limit_is_signed_out(officer):
    client = signed_in(officer, "Laptop")
    age_session(client, SIGNED_IN_AT_KEY, 3601)
    response = client.get(reverse("dashboard"), follow=True)
    assert SESSION_KEY not in client.session
    assert "Your session reached its maximum length." in response.content.decode()


@pytest.fixture
def three_sessions(officer, dean):
    return (
        signed_in(officer, "Laptop Firefox"),
        signed_in(officer, "Phone Safari"),
        signed_in(dean, "Dean's tablet"),
    )


def test_sessions_page_lists_only_my_sessions(three_sessions, officer):
    laptop, _, _ = three_sessions
    response = laptop.get(reverse("accounts:sessions"))
    page = response.content.decode()
    assert "Laptop Firefox" in page and "Phone Safari" in page
    assert "Dean&#x27;s tablet" not in page and "Dean's tablet" not in page
    assert page.count("current-session") == 1
    assert reverse("accounts:sessions") in laptop.get(reverse("dashboard")).content.decode()


def test_ending_another_session_signs_that_client_out(three_sessions, officer):
    laptop, phone, _ = three_sessions
    row = UserSession.objects.get(user=officer, user_agent="Phone Safari")
    response = laptop.post(reverse("accounts:session_end", args=[row.pk]))
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=row.pk).exists()
    after = phone.get(reverse("dashboard"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    assert laptop.get(reverse("dashboard")).status_code == 200


def test_other_peoples_sessions_cannot_be_ended(three_sessions, dean):
    laptop, _, tablet = three_sessions
    row = UserSession.objects.get(user=dean)
    assert laptop.post(reverse("accounts:session_end", args=[row.pk])).status_code == 404
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert tablet.get(reverse("dashboard")).status_code == 200


def test_sign_out_everywhere_else(three_sessions, officer, dean):
    laptop, phone, tablet = three_sessions
    extra = signed_in(officer, "Library PC")
    response = laptop.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "2 other sessions were signed out." in response.content.decode()
    for client in (phone, extra):
        assert client.get(reverse("dashboard")).status_code == 302
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert tablet.get(reverse("dashboard")).status_code == 200
    assert list(UserSession.objects.filter(user=officer).values_list("user_agent", flat=True)) == [
        "Laptop Firefox"
    ]


def test_ending_this_session_signs_out(officer):
    client = signed_in(officer, "Laptop")
    row = UserSession.objects.get(user=officer)
    response = client.post(reverse("accounts:session_end", args=[row.pk]))
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_log_in_and_out_through_the_pages_keep_the_list(client, officer):
    client.post(
        reverse("login"),
        {"username": "officer", "password": "pw-for-tests"},
        HTTP_USER_AGENT="Form browser",
        REMOTE_ADDR="203.0.113.9",
    )
    row = UserSession.objects.get(user=officer)
    assert (row.session_key, row.ip, row.user_agent) == (
        client.session.session_key,
        "203.0.113.9",
        "Form browser",
    )
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=officer).exists()


@override_settings(QA_TRUSTED_PROXY_COUNT=1)
def test_client_address_behind_a_trusted_proxy(client, officer):
    client.post(
        reverse("login"),
        {"username": "officer", "password": "pw-for-tests"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.20",
    )
    assert UserSession.objects.get(user=officer).ip == "198.51.100.20"
