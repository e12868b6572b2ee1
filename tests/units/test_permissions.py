"""The permission suite of units, campaigns, roll-ups and contributors: every access rule,
including another institution's people and a contributor typing another unit's URL."""

import pytest

from qa_tool.access import can_edit, can_edit_plan, edit_refusal
from qa_tool.assessments.models import Assessment
from qa_tool.assessments.services import campaign_create
from qa_tool.institutions.models import ContributorAssignment, Role, Unit

from ..factories import UserFactory
from .conftest import ALL_TOP, review


@pytest.fixture
def course_reviews(units, course_version, cycle):
    return {
        code: review(units[code], course_version, cycle, ALL_TOP, status="draft")
        for code in ("A1", "A2", "B1", "SHARED", "X1")
    }


@pytest.fixture
def campaign(institution, units, course_version, cycle, course_reviews):
    made, _ = campaign_create(
        institution=institution,
        rubric_version=course_version,
        cycle=cycle,
        units=[units["A1"], units["A2"]],
        name="Home campaign",
    )
    return made


def persona(request, name):
    return request.getfixturevalue(name)


# --- contributors and assessments ---------------------------------------------------------


def test_a_contributor_reads_and_fills_only_their_units(
    client, contributor, course_reviews, assessment
):
    client.force_login(contributor)
    mine = course_reviews["A1"]
    assert client.get(f"/assessments/{mine.pk}/").status_code == 200
    assert client.get(f"/assessments/{mine.pk}/fill/", follow=True).status_code == 200
    for other in (course_reviews["A2"], course_reviews["B1"], course_reviews["X1"], assessment):
        for url in (
            f"/assessments/{other.pk}/",
            f"/assessments/{other.pk}/fill/",
            f"/assessments/{other.pk}/history/",
            f"/actions/{other.pk}/",
            f"/reports/{other.pk}/report.json",
            f"/reports/{other.pk}/workbook.xlsx",
        ):
            assert client.get(url).status_code == 404, url


def test_a_programme_assignment_covers_its_courses(client, coordinator, course_reviews):
    client.force_login(coordinator)
    for code in ("A1", "A2", "SHARED"):
        assert client.get(f"/assessments/{course_reviews[code].pk}/").status_code == 200
    for code in ("B1", "X1"):
        assert client.get(f"/assessments/{course_reviews[code].pk}/").status_code == 404
    visible = Assessment.objects.visible_to(coordinator)
    assert sorted(a.subject.code for a in visible) == ["A1", "A2", "SHARED"]


def test_the_dashboard_of_a_contributor_lists_only_their_units(
    client, contributor, course_reviews, assessment
):
    client.force_login(contributor)
    page = client.get("/").content.decode()
    assert f"/assessments/{course_reviews['A1'].pk}/" in page
    assert f"/assessments/{course_reviews['A2'].pk}/" not in page
    assert f"/assessments/{assessment.pk}/" not in page


def test_edit_rules(contributor, coordinator, officer, dean, outsider, course_reviews):
    a1, b1 = course_reviews["A1"], course_reviews["B1"]
    assert can_edit(contributor, a1) and can_edit(coordinator, a1) and can_edit(officer, a1)
    assert not can_edit(contributor, b1) and not can_edit(dean, a1) and not can_edit(outsider, a1)
    assert edit_refusal(contributor, b1) == (
        "Only a quality officer of the institution, or a contributor assigned to its unit, "
        "may change this assessment."
    )
    assert can_edit_plan(contributor, a1) and not can_edit_plan(contributor, b1)
    # Unassigned, the contributor loses the unit at once.
    ContributorAssignment.objects.filter(user=contributor).delete()
    assert not can_edit(contributor, a1)
    assert not Assessment.objects.visible_to(contributor).exists()


def test_a_contributor_cannot_start_assessments(client, contributor, course_version, cycle, units):
    client.force_login(contributor)
    response = client.post(
        "/assessments/start/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "subject": units["A1"].pk},
    )
    assert response.status_code == 403


def test_officer_starts_a_course_review_from_the_dashboard(
    client, officer, course_version, cycle, units
):
    client.force_login(officer)
    response = client.post(
        "/assessments/start/", {"rubric_version": course_version.pk, "cycle": cycle.pk}
    )
    assert response.status_code == 302 and not Assessment.objects.exists()
    response = client.post(
        "/assessments/start/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "subject": units["A1"].pk},
    )
    assert Assessment.objects.get().subject == units["A1"]
    # Another institution's unit is not a choice.
    client.post(
        "/assessments/start/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "subject": units["X1"].pk},
    )
    assert Assessment.objects.count() == 1


def test_a_contributor_must_belong_to_an_institution(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="nowhere", role=Role.CONTRIBUTOR, institution=None)


# --- units pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dean", "contributor", "reviewer", "admin_user"])
def test_only_officers_manage_units(client, request, name, units):
    client.force_login(persona(request, name))
    assert client.get("/units/").status_code == 403
    assert client.get(f"/units/{units['A1'].pk}/").status_code == 403


def test_an_officer_manages_only_their_own_units(client, outsider, officer, units, contributor):
    client.force_login(outsider)
    assert client.get(f"/units/{units['A1'].pk}/").status_code == 404
    response = client.post(f"/units/{units['A1'].pk}/contributors/", {"user": contributor.pk})
    assert response.status_code == 404
    assert client.get(f"/units/{units['X1'].pk}/").status_code == 200
    page = client.get("/units/").content.decode()
    assert "<bdi>X1</bdi>" in page and "<bdi>A1</bdi>" not in page


def test_officer_adds_edits_and_assigns(client, officer, units, contributor, institution):
    client.force_login(officer)
    response = client.post(
        "/units/",
        {
            "level": "course",
            "code": "NEW1",
            "title": "A new course",
            "programmes": [units["P1"].pk],
        },
    )
    assert response.status_code == 302
    new = Unit.objects.get(institution=institution, code="NEW1")
    assert [p.code for p in new.programmes.all()] == ["P1"]
    # A code already used, and another institution's programme, are refused.
    client.post("/units/", {"level": "course", "code": "NEW1", "title": "Again"})
    client.post(
        "/units/",
        {"level": "course", "code": "NEW2", "title": "Away", "programmes": [units["XP"].pk]},
    )
    assert Unit.objects.filter(code__in=["NEW2"]).count() == 0
    assert Unit.objects.filter(code="NEW1").count() == 1
    client.post(f"/units/{new.pk}/", {"title": "Renamed", "programmes": [units["P2"].pk]})
    new.refresh_from_db()
    assert new.title == "Renamed" and [p.code for p in new.programmes.all()] == ["P2"]
    client.post(f"/units/{new.pk}/contributors/", {"user": contributor.pk})
    assert ContributorAssignment.objects.filter(user=contributor, unit=new).exists()
    client.post(f"/units/{new.pk}/contributors/", {"user": contributor.pk, "remove": "1"})
    assert not ContributorAssignment.objects.filter(user=contributor, unit=new).exists()
    # Only contributors of the institution can be assigned.
    away = UserFactory(
        username="awaylead", role=Role.CONTRIBUTOR, institution=units["X1"].institution
    )
    client.post(f"/units/{new.pk}/contributors/", {"user": away.pk})
    assert not ContributorAssignment.objects.filter(user=away).exists()


# --- campaigns ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["officer", "dean", "reviewer", "admin_user"])
def test_who_sees_a_campaign(client, request, name, campaign):
    client.force_login(persona(request, name))
    assert client.get(f"/units/campaigns/{campaign.pk}/").status_code == 200
    assert "Home campaign" in client.get("/units/campaigns/").content.decode()


@pytest.mark.parametrize("name", ["outsider", "contributor", "coordinator"])
def test_others_get_404_for_a_campaign(client, request, name, campaign):
    client.force_login(persona(request, name))
    assert client.get(f"/units/campaigns/{campaign.pk}/").status_code == 404
    listing = client.get("/units/campaigns/")
    assert listing.status_code == 403 or "Home campaign" not in listing.content.decode()


@pytest.mark.parametrize("name", ["dean", "reviewer"])
def test_only_officers_create_campaigns(client, request, name, course_version, cycle, units):
    client.force_login(persona(request, name))
    response = client.post(
        "/units/campaigns/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "codes": "A1"},
    )
    assert response.status_code == 403


def test_an_officer_cannot_campaign_another_institutions_units(
    client, outsider, course_version, cycle, units
):
    client.force_login(outsider)
    client.post(
        "/units/campaigns/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "codes": "A1"},
    )
    client.post(
        "/units/campaigns/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "programme": units["P1"].pk},
    )
    assert not Assessment.objects.filter(subject=units["A1"]).exists()


# --- roll-up ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["officer", "dean", "reviewer", "admin_user"])
def test_who_sees_the_rollup(client, request, name, course_reviews):
    client.force_login(persona(request, name))
    assert client.get("/units/rollup/HOME/").status_code == 200


@pytest.mark.parametrize("name", ["outsider", "contributor", "coordinator"])
def test_others_get_404_for_the_rollup(client, request, name, course_reviews):
    client.force_login(persona(request, name))
    assert client.get("/units/rollup/HOME/").status_code == 404
    assert client.get("/units/rollup/HOME/?format=json").status_code == 404


def test_the_rollup_shortcut(client, officer, contributor):
    client.force_login(officer)
    assert client.get("/units/rollup/")["Location"] == "/units/rollup/HOME/"
    client.force_login(contributor)
    assert client.get("/units/rollup/").status_code == 403


def test_anonymous_people_are_sent_to_log_in(client, campaign, units):
    for url in (
        "/units/",
        f"/units/{units['A1'].pk}/",
        "/units/campaigns/",
        f"/units/campaigns/{campaign.pk}/",
        "/units/rollup/HOME/",
    ):
        assert client.get(url)["Location"].startswith("/login/"), url


def test_a_returned_course_review_mails_its_contributors(
    contributor,
    coordinator,
    officer,
    units,
    course_version,
    cycle,
    reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from qa_tool.assessments.services import assessment_return

    for person in (contributor, coordinator, officer):
        person.email = f"{person.username}@example.test"
        person.save(update_fields=["email"])
    a1 = review(units["A1"], course_version, cycle, ALL_TOP)
    b1 = review(units["B1"], course_version, cycle, ALL_TOP)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(assessment=a1, actor=reviewer, comment="More evidence")
    assert sorted(to for m in mailoutbox for to in m.to) == [
        "coordinator@example.test",
        "lead@example.test",
        "officer@example.test",
    ]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(assessment=b1, actor=reviewer, comment="More evidence")
    assert [m.to for m in mailoutbox] == [["officer@example.test"]]
