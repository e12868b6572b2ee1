"""Review campaigns: choosing units, creating drafts at once, the campaign page."""

import pytest

from qa_tool.assessments.models import Assessment, AuditEvent, Campaign
from qa_tool.assessments.services import (
    AssessmentError,
    assessment_return,
    campaign_create,
    campaign_units,
)

from ..factories import CycleFactory, import_doc, rubric_doc
from .conftest import ALL_TOP, review


def codes(units):
    return [u.code for u in units]


def test_choosing_units(institution, units, course_version):
    pick = lambda **kw: campaign_units(institution=institution, level="course", **kw)  # noqa: E731
    assert codes(pick(programme=units["P1"])[0]) == ["A1", "A2", "SHARED"]
    assert codes(pick(codes=["LONE", "B1", "B1"])[0]) == ["B1", "LONE"]
    assert codes(pick(programme=units["P2"], codes=["LONE"])[0]) == ["B1", "LONE", "SHARED"]
    assert codes(pick(everything=True)[0]) == ["A1", "A2", "B1", "LONE", "SHARED"]
    chosen, problems = pick(codes=["A1", "X1", "P1"])
    assert codes(chosen) == ["A1"]
    assert [str(p) for p in problems] == ["units: not a course of the institution: X1, P1"]
    assert [str(p) for p in pick()[1]] == ["units: choose at least one unit"]
    assert pick(programme=units["XP"])[1]
    programme_level = campaign_units(
        institution=institution, level="programme", programme=units["P1"]
    )
    assert codes(programme_level[0]) == ["P1"]


def test_create_makes_every_draft_once_and_audits(
    institution, officer, units, course_version, cycle
):
    existing = review(units["A2"], course_version, cycle, ALL_TOP, status="draft")
    chosen, _ = campaign_units(institution=institution, level="course", programme=units["P1"])
    campaign, created = campaign_create(
        institution=institution,
        rubric_version=course_version,
        cycle=cycle,
        units=chosen,
        name="Spring reviews",
        actor=officer,
    )
    assert created == 2
    rows = Assessment.objects.filter(campaign=campaign).order_by("subject__code")
    assert [(a.subject.code, a.status) for a in rows] == [
        ("A1", "draft"),
        ("A2", "draft"),
        ("SHARED", "draft"),
    ]
    existing.refresh_from_db()
    assert existing.campaign == campaign
    events = AuditEvent.objects.filter(
        assessment__campaign=campaign, action="created", new__campaign="Spring reviews"
    )
    assert events.count() == 2 and {e.actor for e in events} == {officer}
    # Running it again creates nothing new.
    _again, created_again = campaign_create(
        institution=institution, rubric_version=course_version, cycle=cycle, units=chosen
    )
    assert created_again == 0 and Assessment.objects.filter(subject__isnull=False).count() == 3


def test_create_refuses_wrong_rubrics_units_and_closed_cycles(
    institution, units, course_version, rubric_version, cycle
):
    closed = CycleFactory(name="2020", is_open=False)
    for kwargs, message in [
        (
            {"rubric_version": rubric_version},
            "a campaign needs a programme- or course-level rubric",
        ),
        ({"cycle": closed}, "choose an open cycle"),
        ({"units": [units["P1"]]}, "not units of this rubric's level in the institution: P1"),
        ({"units": [units["X1"]]}, "not units of this rubric's level in the institution: X1"),
        ({"units": []}, "choose at least one unit"),
    ]:
        args = {
            "institution": institution,
            "rubric_version": course_version,
            "cycle": cycle,
            "units": [units["A1"]],
            **kwargs,
        }
        with pytest.raises(AssessmentError) as caught:
            campaign_create(**args)
        assert message in [p.what for p in caught.value.problems]
    assert Campaign.objects.count() == 0 and Assessment.objects.count() == 0


def test_officer_creates_a_campaign_on_the_page(client, officer, units, course_version, cycle):
    client.force_login(officer)
    page = client.get("/units/campaigns/").content.decode()
    assert "Start a review campaign" in page
    response = client.post(
        "/units/campaigns/",
        {
            "name": "Education courses",
            "rubric_version": course_version.pk,
            "cycle": cycle.pk,
            "programme": units["P1"].pk,
            "codes": "LONE",
        },
    )
    campaign = Campaign.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/units/campaigns/{campaign.pk}/"
    )
    assert campaign.assessments.count() == 4
    response = client.post(
        "/units/campaigns/",
        {"rubric_version": course_version.pk, "cycle": cycle.pk, "codes": "NOPE"},
        follow=True,
    )
    assert "not a course of the institution: NOPE" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_campaign_page_counts_filters_and_paginates(
    client, officer, dean, reviewer, institution, units, course_version, cycle
):
    chosen, _ = campaign_units(institution=institution, level="course", everything=True)
    campaign, _ = campaign_create(
        institution=institution,
        rubric_version=course_version,
        cycle=cycle,
        units=chosen,
        name="All",
    )
    review(units["A1"], course_version, cycle, ALL_TOP, status="validated", reviewer=reviewer)
    review(units["A2"], course_version, cycle, ALL_TOP)
    returned = review(units["B1"], course_version, cycle, ALL_TOP)
    assessment_return(assessment=returned, actor=reviewer, comment="More evidence")
    review(units["SHARED"], course_version, cycle, {"C1": 1}, status="draft")
    url = f"/units/campaigns/{campaign.pk}/"
    for user in (officer, dean, reviewer):
        client.force_login(user)
        page = client.get(url).content.decode()
        for key, n in [
            ("all", 5),
            ("not_started", 1),
            ("draft", 1),
            ("submitted", 1),
            ("returned", 1),
            ("validated", 1),
        ]:
            assert f'data-count="{key}">{n}<' in page

    def shown(query):
        page = client.get(url + query).content.decode()
        return [
            code for code in ("A1", "A2", "B1", "LONE", "SHARED") if f"<bdi>{code}</bdi>" in page
        ]

    assert shown("?status=not_started") == ["LONE"]
    assert shown("?status=draft") == ["SHARED"]
    assert shown("?status=returned") == ["B1"]
    assert shown("?q=a2") == ["A2"]
    assert f'href="/assessments/{returned.pk}/"' in client.get(url).content.decode()


def test_campaign_page_paginates(client, officer, institution, course_version, cycle):
    from ..factories import UnitFactory

    made = [UnitFactory(institution=institution, code=f"U{i:03d}") for i in range(60)]
    campaign, _ = campaign_create(
        institution=institution, rubric_version=course_version, cycle=cycle, units=made
    )
    client.force_login(officer)
    first = client.get(f"/units/campaigns/{campaign.pk}/").content.decode()
    assert "<bdi>U000</bdi>" in first and "<bdi>U059</bdi>" not in first and "Page 1 of 2" in first
    second = client.get(f"/units/campaigns/{campaign.pk}/?page=2").content.decode()
    assert "<bdi>U059</bdi>" in second


def test_programme_level_campaign(institution, units, cycle):
    version = import_doc(rubric_doc(slug="test-programme", level="programme"))
    chosen, _ = campaign_units(institution=institution, level="programme", everything=True)
    _, created = campaign_create(
        institution=institution, rubric_version=version, cycle=cycle, units=chosen
    )
    assert created == 2
