"""The administrators' sign-in log and the Django admin views of the same records."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone

from qa_tool.accounts.views import SIGN_IN_PAGE_SIZE


@pytest.fixture
def events(db):
    # attempt_time is set on creation; move the failure a minute back afterwards.
    AccessLog.objects.create(username="officer", ip_address="192.0.2.1", user_agent="Firefox/140")
    failure = AccessFailureLog.objects.create(
        username="dean", ip_address="198.51.100.7", user_agent="Chromium/141", locked_out=False
    )
    AccessFailureLog.objects.filter(pk=failure.pk).update(
        attempt_time=timezone.now() - timezone.timedelta(minutes=1)
    )
    refused = AccessFailureLog.objects.create(
        username="mallory", ip_address="203.0.113.66", user_agent="curl/8", locked_out=True
    )
    AccessFailureLog.objects.filter(pk=refused.pk).update(
        attempt_time=timezone.now() - timezone.timedelta(minutes=2)
    )


def test_administrators_see_log_ins_and_failures(client, admin_user, events):
    client.force_login(admin_user)
    response = client.get(reverse("accounts:sign_ins"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("officer", "192.0.2.1", "Firefox/140", "signed in"):
        assert text in page
    for text in ("dean", "198.51.100.7", "Chromium/141", "failed"):
        assert text in page
    assert "refused: locked out" in page
    assert page.index("Firefox/140") < page.index("Chromium/141") < page.index("curl/8")
    assert page.count("refused: locked out") == 1 and page.count(">failed<") == 1


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer"])
def test_others_are_forbidden(client, request, persona, events):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:sign_ins")).status_code == 403


def test_sign_in_log_is_paginated(client, admin_user, db):
    AccessLog.objects.bulk_create(
        AccessLog(username=f"u{i}", ip_address="192.0.2.1", user_agent="x")
        for i in range(SIGN_IN_PAGE_SIZE + 3)
    )
    client.force_login(admin_user)
    first = client.get(reverse("accounts:sign_ins")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("accounts:sign_ins"), {"page": 2})
    assert second.content.decode().count("<tr>") == 3 + 1  # three rows and the header


def test_axes_records_are_in_the_django_admin(client, admin_user, events):
    client.force_login(admin_user)
    for model in ("accessattempt", "accesslog", "accessfailurelog"):
        assert client.get(reverse(f"admin:axes_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_usersession_changelist")).status_code == 200


def test_administrators_have_the_link_in_the_header(client, admin_user, officer):
    client.force_login(admin_user)
    assert (
        reverse("accounts:sign_ins")
        in client.get(reverse("dashboard"), follow=True).content.decode()
    )
    client.force_login(officer)
    assert reverse("accounts:sign_ins") not in client.get(reverse("dashboard")).content.decode()
