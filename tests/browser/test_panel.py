"""A three-rater panel in a real browser: the officer sets it up, three colleagues rate
independently, the lead reads the disagreement, overrides one level with a reason and
confirms; the final levels become the assessment's answers and its score."""

from __future__ import annotations

import os
import re

import pytest

from qa_tool.assessments.models import Response
from qa_tool.assessments.selectors import assessment_result
from qa_tool.assessments.services import assessment_start
from qa_tool.institutions.models import Role
from rubrics.templatetags.qa_format import pct

from ..factories import UserFactory
from .conftest import CHROMIUM
from .test_workflow import log_in, log_out, press

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

# Each rater's levels: D1 (C1, C2, C3) and D2 (C4, C5).
LEVELS = {
    "rater1": {"C1": "3", "C2": "2", "C3": "na", "C4": "0", "C5": "1"},
    "rater2": {"C1": "1", "C2": "2", "C3": "na", "C4": "2", "C5": "1"},
    "rater3": {"C1": "3", "C2": "3", "C3": "2", "C4": "1", "C5": "1"},
}


def rate_step(page, step: str, levels: dict[str, str]) -> None:
    for code, value in levels.items():
        page.check(f'input[type=radio][name="{step}-{code}-level"][value="{value}"]')
        page.fill(f'[name="{step}-{code}-justification"]', f"{code} seen by me")
    press(page, "button[name=next]")


def test_three_rater_panel_reaches_a_result(live_server, page, officer, rubric_version, cycle):
    for name in LEVELS:
        UserFactory(username=name, role=Role.LEADER, institution=officer.institution)
    assessment, _ = assessment_start(
        institution=officer.institution, rubric_version=rubric_version, cycle=cycle
    )
    base = live_server.url
    panel_url = f"{base}/panels/{assessment.pk}/"

    # --- the officer sets up the panel from the results page and seats three colleagues
    log_in(page, base, "officer")
    page.goto(f"{base}/assessments/{assessment.pk}/")
    press(page, "p.crumbs a:has-text('Review panel')")
    page.select_option("select[name=kind]", "self")
    press(page, "button[name=create]")
    expect(page.locator("ul.messages")).to_contain_text("The panel was set up")
    for name, perspective in (
        ("rater1", "teaching"),
        ("rater2", "teaching"),
        ("rater3", "students"),
    ):
        page.fill("input[name=username]", name)
        page.select_option("select[name=perspective]", perspective)
        press(page, "button[name=add_rater]")
        expect(page.locator("ul.messages")).to_contain_text(f"{name} joined the panel.")
    expect(page.locator("table.data tbody tr")).to_have_count(3)
    log_out(page)

    # --- each rater rates alone and submits
    for name, levels in LEVELS.items():
        log_in(page, base, name)
        page.goto(panel_url)
        press(page, "a:has-text('Rate this assessment')")
        expect(page).to_have_url(re.compile(r"/rate/D1/$"))
        # Nobody's levels are pre-selected: the page shows only one's own.
        expect(page.locator("input[type=radio]:checked")).to_have_count(0)
        rate_step(page, "D1", {c: levels[c] for c in ("C1", "C2", "C3")})
        expect(page).to_have_url(re.compile(r"/rate/D2/$"))
        rate_step(page, "D2", {c: levels[c] for c in ("C4", "C5")})
        expect(page.locator("h2")).to_contain_text("Review and submit my ratings")
        # Before submitting, the disagreement view is refused by URL too.
        response = page.request.get(f"{panel_url}disagreement/")
        assert response.status == 403
        press(page, "button[name=submit]")
        expect(page.locator("ul.messages")).to_contain_text("Your ratings were submitted")
        expect(page.locator("table.consensus")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("seen by me")
        log_out(page)

    # --- the lead reads the disagreement and confirms, overriding C4 with a reason
    log_in(page, base, "officer")
    page.goto(f"{panel_url}disagreement/")
    expect(page.locator("[data-alpha]")).not_to_have_text("—")
    sections = page.locator("section.panel-row h2 bdi.code")
    expect(sections.first).to_have_text("C4")  # 0, 2, 1: the most disagreement
    c4 = page.locator("#criterion-C4")
    expect(c4.locator("[data-consensus]")).to_have_text("Level 0")
    expect(c4.locator("table tbody tr")).to_have_count(3)
    page.select_option("select[name=C4-level]", "1")
    press(page, "button[name=confirm]")
    expect(page.locator("ul.messages")).to_contain_text("needs a justification")
    page.select_option("select[name=C4-level]", "1")
    page.fill("textarea[name=C4-justification]", "The middle reading fits the evidence.")
    press(page, "button[name=confirm]")
    expect(page.locator("ul.messages")).to_contain_text("The final levels were confirmed.")

    levels = {
        r.criterion.code: ("na" if r.is_na else int(r.value))
        for r in Response.objects.filter(assessment=assessment).select_related("criterion")
    }
    assert levels == {"C1": 3, "C2": 2, "C3": "na", "C4": 1, "C5": 1}
    expected = pct(assessment_result(assessment).score)
    page.goto(f"{base}/assessments/{assessment.pk}/")
    expect(page.locator("main")).to_contain_text(expected)
    # Two teachers and one student: no perspective has three raters, so none is shown.
    expect(page.locator("#perspectives")).to_have_count(0)
