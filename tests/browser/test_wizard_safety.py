"""No saved text ever lost, in a real browser: two tabs and two people on one step, an
expired session while typing, and Enter in the wizard."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.sessions.models import Session

from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start

from ..factories import PASSWORD, UserFactory
from .conftest import CHROMIUM
from .test_workflow import answer, field, level_of, log_in, press, radio, save_draft

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

# Autosave runs every 8 seconds; waiting for it needs more than the default 5.
AUTOSAVE_WAIT = 20_000


@pytest.fixture
def draft(institution, rubric_version, cycle):
    assessment, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C1": AnswerInput(value=2, justification="Loaded C1"),
            "C2": AnswerInput(value=2, justification="Loaded C2"),
        },
    )
    return assessment


def test_two_tabs_and_two_people_on_different_criteria_keep_every_edit(
    live_server, page, browser, officer, draft
):
    base = live_server.url
    step = f"{base}/assessments/{draft.pk}/fill/D1/"
    log_in(page, base, "officer")
    tab_a, tab_b = page, page.context.new_page()
    tab_a.goto(step)
    tab_b.goto(step)

    # Two tabs of one person, different criteria: both edits stay, no conflict.
    tab_a.fill(field("D1", "C1", "justification"), "Tab A on C1")
    save_draft(tab_a)
    tab_b.fill(field("D1", "C2", "justification"), "Tab B on C2")
    save_draft(tab_b)
    expect(tab_b.locator("section.conflicts")).to_have_count(0)
    assert answer(draft, "C1").justification == "Tab A on C1"
    assert answer(draft, "C2").justification == "Tab B on C2"
    expect(tab_b.locator(field("D1", "C1", "justification"))).to_have_value("Tab A on C1")

    # Two people: the colleague changes C3 while the officer's tab A (loaded before the
    # colleague's and tab B's saves) changes C1 again.
    UserFactory(username="colleague", role="officer", institution=draft.institution)
    other = browser.new_context()
    try:
        colleague = other.new_page()
        log_in(colleague, base, "colleague")
        colleague.goto(step)
        colleague.check(radio("D1", "C3", "1"))
        save_draft(colleague)
        tab_a.check(radio("D1", "C1", "3"))
        save_draft(tab_a)
        expect(tab_a.locator("section.conflicts")).to_have_count(0)
        assert level_of(draft, "C1") == 3 and level_of(draft, "C3") == 1
        assert answer(draft, "C2").justification == "Tab B on C2"
        expect(tab_a.locator(radio("D1", "C3", "1"))).to_be_checked()

        # The same criterion on both sides: a conflict, shown with the levels' labels.
        colleague.reload()
        colleague.check(radio("D1", "C1", "0"))
        save_draft(colleague)
        tab_a.check(radio("D1", "C1", "1"))
        press(tab_a, "button[name=save_draft]")
        conflicts = tab_a.locator("section.conflicts")
        expect(conflicts.locator("h2")).to_have_text("Changed by someone else")
        cells = conflicts.locator("tbody tr td")
        expect(cells.nth(0)).to_have_text("C1")
        expect(cells.nth(1)).to_contain_text("colleague")
        expect(cells.nth(2).locator("dd").first).to_have_text("Level 0")
        expect(cells.nth(3).locator("dd").first).to_have_text("Level 1")
        assert level_of(draft, "C1") == 0
        # Saving again keeps the officer's C1 and nothing else changes.
        save_draft(tab_a)
        assert level_of(draft, "C1") == 1 and level_of(draft, "C3") == 1
        assert answer(draft, "C2").justification == "Tab B on C2"
    finally:
        other.close()


def test_expired_session_says_so_keeps_the_text_and_offers_it_back(
    live_server, page, officer, draft
):
    base = live_server.url
    step = f"{base}/assessments/{draft.pk}/fill/D1/"
    log_in(page, base, "officer")
    page.goto(step)
    expect(page.get_by_role("alert")).to_have_count(0)

    Session.objects.all().delete()  # the session expires while the officer types
    page.fill(field("D1", "C1", "justification"), "Typed after the session ended")
    alert = page.get_by_role("alert").filter(has_text="no longer signed in")
    expect(alert).to_be_visible(timeout=AUTOSAVE_WAIT)
    expect(alert).to_contain_text("your changes are not being saved")
    assert answer(draft, "C1").justification == "Loaded C1"

    press(page, "button[name=save_draft]")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    press(page, "main button.primary")
    expect(page).to_have_url(step)

    banner = page.locator("[data-restore]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("not saved")
    expect(page.locator(field("D1", "C1", "justification"))).to_have_value("Loaded C1")
    banner.get_by_role("button", name="Restore my unsaved text").click()
    expect(banner).to_be_hidden()
    expect(page.locator(field("D1", "C1", "justification"))).to_have_value(
        "Typed after the session ended"
    )
    save_draft(page)
    assert answer(draft, "C1").justification == "Typed after the session ended"
    assert answer(draft, "C2").justification == "Loaded C2"
    # Saved: nothing is offered again.
    page.reload()
    expect(page.locator("[data-restore]")).to_be_hidden()


def test_discard_forgets_the_kept_text(live_server, page, officer, draft):
    base = live_server.url
    step = f"{base}/assessments/{draft.pk}/fill/D1/"
    log_in(page, base, "officer")
    page.goto(step)
    Session.objects.all().delete()
    page.fill(field("D1", "C2", "justification"), "Not wanted")
    expect(page.get_by_role("alert").filter(has_text="no longer signed in")).to_be_visible(
        timeout=AUTOSAVE_WAIT
    )
    log_in(page, base, "officer")
    page.goto(step)
    banner = page.locator("[data-restore]")
    banner.get_by_role("button", name="Discard").click()
    expect(banner).to_be_hidden()
    page.reload()
    expect(page.locator("[data-restore]")).to_be_hidden()
    expect(page.locator(field("D1", "C2", "justification"))).to_have_value("Loaded C2")


def test_autosave_status_is_shown_near_the_buttons(live_server, page, officer, draft):
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(f"{base}/assessments/{draft.pk}/fill/D1/")
    page.fill(field("D1", "C3", "justification"), "Autosaved text")
    status = page.locator(".buttons [role=status]")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"), timeout=AUTOSAVE_WAIT)
    assert answer(draft, "C3").justification == "Autosaved text"


def test_enter_saves_and_continues(live_server, page, officer, draft):
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(f"{base}/assessments/{draft.pk}/fill/D1/")
    # Enter in a text area is a new line (justifications have paragraphs, links one per line).
    links = page.locator(field("D1", "C1", "links"))
    links.fill("https://example.org/a")
    links.press("End")
    links.press("Enter")
    links.type("https://example.org/b")
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    expect(links).to_have_value("https://example.org/a\nhttps://example.org/b")
    # Enter on a level is "Save and continue", not the step bar's first button or Back.
    page.check(radio("D1", "C3", "2"))
    with page.expect_navigation():
        page.locator(radio("D1", "C3", "2")).press("Enter")
    expect(page).to_have_url(re.compile(r"/fill/D2/$"))
    assert level_of(draft, "C3") == 2
    assert answer(draft, "C1").links == ["https://example.org/a", "https://example.org/b"]
    # On D2 (which has a Back button) Enter also goes forward.
    page.check(radio("D2", "C4", "1"))
    with page.expect_navigation():
        page.locator(radio("D2", "C4", "1")).press("Enter")
    expect(page).to_have_url(re.compile(r"/fill/review/$"))
    assert level_of(draft, "C4") == 1


def test_kept_text_is_offered_only_to_who_typed_it(live_server, page, officer, draft):
    base = live_server.url
    step = f"{base}/assessments/{draft.pk}/fill/D1/"
    UserFactory(username="colleague", role="officer", institution=draft.institution)
    log_in(page, base, "officer")
    page.goto(step)
    Session.objects.all().delete()
    page.fill(field("D1", "C1", "justification"), "The officer's unsaved words")
    expect(page.get_by_role("alert").filter(has_text="no longer signed in")).to_be_visible(
        timeout=AUTOSAVE_WAIT
    )
    # Someone else logs in on the same computer: nothing offered to them.
    log_in(page, base, "colleague")
    page.goto(step)
    expect(page.locator(field("D1", "C1", "justification"))).to_have_value("Loaded C1")
    expect(page.locator("[data-restore]")).to_be_hidden()
