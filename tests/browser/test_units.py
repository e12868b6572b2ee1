"""End to end: an officer creates a course review campaign and assigns a course lead; the
course lead fills and submits their one course review, and cannot open another."""

from __future__ import annotations

import os
import re

import pytest

from qa_tool.assessments.models import Assessment, Campaign, Status
from qa_tool.institutions.models import Role, UnitProgramme

from ..factories import UnitFactory, UserFactory, import_doc, rubric_doc
from .conftest import CHROMIUM
from .test_workflow import log_in, log_out, press, radio

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def course_setup(institution, officer, cycle):
    version = import_doc(rubric_doc(slug="test-course", level="course"))
    programme = UnitFactory(institution=institution, level="programme", code="BED", title="BEd")
    for code in ("EDU101", "EDU102", "EDU103"):
        course = UnitFactory(institution=institution, code=code, title=f"Course {code}")
        UnitProgramme.objects.create(course=course, programme=programme)
    lead = UserFactory(username="lead", role=Role.CONTRIBUTOR, institution=institution)
    return version, programme, lead


def test_officer_creates_a_campaign_and_a_contributor_fills_one_course(
    live_server, page, course_setup, cycle
):
    version, programme, lead = course_setup
    base = live_server.url

    # --- the officer creates the campaign for every course of the programme
    log_in(page, base, "officer")
    page.click("header nav >> text=Review campaigns")
    expect(page.locator("h1")).to_have_text("Review campaigns")
    form = page.locator("#new-campaign")
    form.locator("[name=name]").fill("BEd course reviews")
    form.locator("[name=rubric_version]").select_option(str(version.pk))
    form.locator("[name=cycle]").select_option(str(cycle.pk))
    form.locator("[name=programme]").select_option(str(programme.pk))
    press(page, "#new-campaign button[type=submit]")
    campaign = Campaign.objects.get()
    expect(page).to_have_url(re.compile(rf"/units/campaigns/{campaign.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text("3 draft assessment(s) of 3 unit(s)")
    expect(page.locator('[data-count="not_started"]')).to_have_text("3")
    expect(page.locator('[data-count="submitted"]')).to_have_text("0")

    # --- and assigns the course lead to EDU101
    page.click("header nav >> text=Programmes and courses")
    page.click("text=EDU101")
    page.locator("[name=user]").select_option(str(lead.pk))
    press(page, "form.inline button:has-text('Assign')")
    expect(page.locator("ul.messages")).to_contain_text(
        "lead may now fill the assessments of EDU101"
    )
    log_out(page)

    # --- the course lead sees only EDU101's review, fills it and submits it
    mine = Assessment.objects.get(subject__code="EDU101")
    other = Assessment.objects.get(subject__code="EDU102")
    log_in(page, base, "lead")
    expect(page.locator("main")).to_contain_text("EDU101")
    expect(page.locator("main")).not_to_contain_text("EDU102")
    response = page.goto(f"{base}/assessments/{other.pk}/fill/")
    assert response.status == 404
    page.goto(f"{base}/assessments/{mine.pk}/fill/")
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    page.check(radio("D1", "C1", "3"))
    page.check(radio("D1", "C2", "2"))
    page.check(radio("D1", "C3", "na"))
    press(page, "button[name=next]")
    expect(page).to_have_url(re.compile(r"/fill/D2/$"))
    page.check(radio("D2", "C4", "3"))
    page.check(radio("D2", "C5", "2"))
    press(page, "button[name=next]")
    expect(page).to_have_url(re.compile(r"/fill/review/$"))
    press(page, "button[name=submit]")
    expect(page.locator("ul.messages")).to_contain_text("submitted for review")
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED and mine.subject.code == "EDU101"
    log_out(page)

    # --- the officer's campaign page counts it
    log_in(page, base, "officer")
    page.goto(f"{base}/units/campaigns/{campaign.pk}/")
    expect(page.locator('[data-count="submitted"]')).to_have_text("1")
    expect(page.locator('[data-count="not_started"]')).to_have_text("2")
