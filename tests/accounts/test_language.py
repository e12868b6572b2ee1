"""Each person's own language: set at the first log-in from the browser, kept on the
profile page and by the switcher, used for pages, e-mails and downloads."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from qa_tool.assessments.models import Status
from qa_tool.assessments.notifications import notify_status_change
from qa_tool.institutions.models import Role

from ..factories import PASSWORD, UserFactory


def test_first_log_in_keeps_the_browser_language(client, officer):
    assert officer.language == ""
    response = client.post(
        reverse("login"),
        {"username": "officer", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5",
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "fr"


def test_a_later_log_in_keeps_the_stored_preference(client, officer):
    officer.language = "ar"
    officer.save()
    client.post(
        reverse("login"), {"username": "officer", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    officer.refresh_from_db()
    assert officer.language == "ar"


def test_pages_follow_the_preference_not_the_browser(client, officer):
    officer.language = "ar"
    officer.save()
    client.force_login(officer)
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="ar"' in page.content.decode() and 'dir="rtl"' in page.content.decode()


def test_profile_page_saves_the_language_and_is_in_the_header(client, officer):
    client.force_login(officer)
    assert reverse("accounts:profile") in client.get(reverse("dashboard")).content.decode()
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Amina", "last_name": "Diallo", "language": "zh-hans"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.language, officer.first_name) == ("zh-hans", "Amina")
    assert 'lang="zh-hans"' in client.get(reverse("dashboard")).content.decode()


def test_profile_refuses_an_unknown_language(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "", "last_name": "", "language": "xx"}
    )
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.language == ""


def test_the_switcher_updates_the_preference_of_a_signed_in_person(client, officer):
    officer.language = "fr"
    officer.save()
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    officer.refresh_from_db()
    assert officer.language == "ar"
    assert 'lang="ar"' in client.get(reverse("dashboard")).content.decode()


def test_the_switcher_still_works_signed_out(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/login/"})
    assert response.status_code == 302
    assert 'lang="fr"' in client.get(reverse("login")).content.decode()


def test_an_e_mail_to_two_people_goes_out_in_each_ones_language(assessment, institution):
    UserFactory(
        username="fr-officer",
        email="fr@example.org",
        role=Role.OFFICER,
        institution=institution,
        language="fr",
    )
    UserFactory(
        username="en-dean",
        email="en@example.org",
        role=Role.LEADER,
        institution=institution,
        language="en",
    )
    assessment.status = Status.RETURNED
    assessment.save()
    assert notify_status_change(assessment=assessment, comment="Voir C2") == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    french, english = by_recipient["fr@example.org"], by_recipient["en@example.org"]
    assert english.subject.startswith("Returned for changes:")
    assert "Open it at:" in english.body
    assert not french.subject.startswith("Returned for changes:")
    assert french.subject.startswith("Renvoy")  # "Renvoyée pour modification…"
    assert "Open it at:" not in french.body


@pytest.mark.parametrize("language", ["fr", "ar", "zh-hans"])
def test_downloads_started_by_a_person_are_in_their_language(client, officer, assessment, language):
    officer.language = language
    officer.save()
    client.force_login(officer)
    response = client.get(
        reverse("reports:report", args=[assessment.pk, "json"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert f"-{language}.json" in response["Content-Disposition"]
