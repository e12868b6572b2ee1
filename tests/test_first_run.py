"""The first-run page: administrators of an empty installation are sent there."""

from __future__ import annotations

from django.urls import reverse

from qa_tool.assessments.models import Cycle


def test_administrators_of_an_empty_installation_are_sent_to_the_first_run(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url == reverse("first_run")
    page = client.get(reverse("first_run")).content.decode()
    for url in (
        reverse("rubrics:import"),
        reverse("accounts:institutions_import"),
        reverse("accounts:institution_new"),
        reverse("accounts:institutions"),
    ):
        assert url in page


def test_no_rubrics_is_still_empty(client, admin_user, institution):
    client.force_login(admin_user)
    assert client.get(reverse("dashboard")).url == reverse("first_run")


def test_the_dashboard_opens_once_there_are_institutions_and_rubrics(
    client, admin_user, institution, rubric_version
):
    client.force_login(admin_user)
    assert client.get(reverse("dashboard")).status_code == 200


def test_opening_a_cycle(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("first_run"), {"name": "2027"})
    assert response.status_code == 302
    assert Cycle.objects.get(name="2027").is_open
    assert client.post(reverse("first_run"), {"name": "bad/name"}).status_code == 200


def test_reviewers_and_officers_are_not_redirected_and_cannot_open_it(client, reviewer, officer):
    for person in (reviewer, officer):
        client.force_login(person)
        assert client.get(reverse("dashboard")).status_code == 200
        assert client.get(reverse("first_run")).status_code == 403
