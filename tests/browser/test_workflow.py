"""End-to-end tests in a real browser (Debian's Chromium driven by Playwright).

Each test runs against pytest-django's ``live_server`` (so with ``transactional_db``) and
checks what a person sees on the page, then the database through the ORM.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from django.core import mail

from qa_tool.assessments.models import Assessment, Evidence, Response, Status
from qa_tool.assessments.selectors import assessment_result, assessment_reviewed_result
from qa_tool.assessments.services import assessment_start
from rubrics.templatetags.qa_format import pct

from ..factories import PASSWORD
from .conftest import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
    # pytest-playwright's own base_url fallback fixture, not ours.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


# --- helpers ----------------------------------------------------------------------------------


def radio(step: str, code: str, value: str) -> str:
    return f'input[type=radio][name="{step}-{code}-level"][value="{value}"]'


def field(step: str, code: str, name: str) -> str:
    return f'[name="{step}-{code}-{name}"]'


def press(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to (redirects included)."""
    with page.expect_navigation():
        page.locator(selector).click()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    press(page, "main button.primary")
    expect(page.locator("header form.logout .who")).to_contain_text(username)


def log_out(page) -> None:
    press(page, "header form.logout button")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("header form.logout")).to_have_count(0)


def go_to_step(page, step: str) -> None:
    """Jump with the step navigation (which saves the current step first)."""
    press(page, f'nav.steps button[name=wizard_goto_step][value="{step}"]')
    expect(page).to_have_url(re.compile(rf"/fill/{step}/$"))


def save_draft(page) -> None:
    press(page, "button[name=save_draft]")
    expect(page.locator("ul.messages")).to_contain_text("Draft saved.")


def answer(assessment: Assessment, code: str) -> Response | None:
    return (
        Response.objects.filter(assessment=assessment, criterion__code=code)
        .select_related("criterion")
        .first()
    )


def level_of(assessment: Assessment, code: str):
    row = answer(assessment, code)
    if row is None:
        return None
    return "na" if row.is_na else row.value


def mails_since(start: int) -> list[tuple[str, tuple[str, ...]]]:
    """(subject up to the colon, recipients) of every e-mail sent since ``start``."""
    return [(m.subject.split(":")[0], tuple(m.to)) for m in mail.outbox[start:]]


@pytest.fixture
def draft(institution, rubric_version, cycle):
    assessment, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    return assessment


@pytest.fixture
def people(officer, dean, reviewer):
    """The personas, with e-mail addresses so that notifications have somewhere to go."""
    for user in (officer, dean, reviewer):
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return {"officer": officer, "dean": dean, "reviewer": reviewer}


# --- 1. the whole workflow --------------------------------------------------------------------


def test_officer_fills_reviewer_returns_officer_fixes_reviewer_validates(
    live_server, page, people, draft, tmp_path
):
    base = live_server.url
    fill = f"{base}/assessments/{draft.pk}/fill/"
    officer_mail, dean_mail, reviewer_mail = (
        people[name].email for name in ("officer", "dean", "reviewer")
    )

    # The live server serves the apps' static files.
    css = page.request.get(f"{base}/static/qa_tool/site.css")
    assert css.ok, css.status
    assert "text/css" in css.headers["content-type"]

    # --- the officer fills D1 partly and jumps to D2 without answering C3
    log_in(page, base, "officer")
    page.goto(fill)
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    expect(page.locator("h2")).to_contain_text("Domain one")
    expect(page.locator("main p.muted .status")).to_have_text("Draft")
    page.check(radio("D1", "C1", "3"))
    page.check(radio("D1", "C2", "2"))
    page.fill(field("D1", "C1", "justification"), "Policy approved by the senate in 2025.")
    go_to_step(page, "D2")
    expect(page.locator("h2")).to_contain_text("Domain two")
    assert level_of(draft, "C1") == 3
    assert level_of(draft, "C2") == 2
    assert answer(draft, "C1").justification == "Policy approved by the senate in 2025."
    assert level_of(draft, "C3") is None
    expect(page.locator("nav.steps li").first).to_contain_text("2/3")

    # --- answer C4, then Back: D1 still shows what was typed
    page.check(radio("D2", "C4", "1"))
    press(page, ".buttons button[name=wizard_goto_step]")  # Back
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    assert level_of(draft, "C4") == 1
    expect(page.locator(radio("D1", "C1", "3"))).to_be_checked()
    expect(page.locator(radio("D1", "C2", "2"))).to_be_checked()
    expect(page.locator(field("D1", "C1", "justification"))).to_have_value(
        "Policy approved by the senate in 2025."
    )
    for value in ("0", "1", "2", "3", "na"):
        expect(page.locator(radio("D1", "C3", value))).not_to_be_checked()

    # --- attach a PDF to C1 and save the draft
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    page.set_input_files(field("D1", "C1", "files"), pdf)
    save_draft(page)
    expect(page.locator("ul.messages")).to_contain_text("C1: evidence.pdf attached.")
    expect(page.locator("#criterion-C1 ul.evidence")).to_contain_text("evidence.pdf")
    assert list(
        Evidence.objects.filter(assessment=draft).values_list("criterion__code", "original_name")
    ) == [("C1", "evidence.pdf")]

    # --- log out, log back in: everything is still there
    log_out(page)
    log_in(page, base, "officer")
    page.goto(fill)
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    expect(page.locator(radio("D1", "C1", "3"))).to_be_checked()
    expect(page.locator(radio("D1", "C2", "2"))).to_be_checked()
    expect(page.locator(field("D1", "C1", "justification"))).to_have_value(
        "Policy approved by the senate in 2025."
    )
    expect(page.locator("#criterion-C1 ul.evidence")).to_contain_text("evidence.pdf")

    # --- complete: C3 as N/A, C5 on D2 (C4 still there), then review and submit
    page.check(radio("D1", "C3", "na"))
    go_to_step(page, "D2")
    expect(page.locator(radio("D2", "C4", "1"))).to_be_checked()
    page.check(radio("D2", "C5", "3"))
    press(page, "button[name=next]")  # Save and continue
    expect(page).to_have_url(re.compile(r"/fill/review/$"))
    assert level_of(draft, "C3") == "na"
    assert level_of(draft, "C5") == 3
    score_so_far = pct(assessment_result(draft).score)
    summary = page.locator("section.summary")
    expect(summary).to_contain_text("Score so far")
    expect(summary).to_contain_text(score_so_far)
    expect(summary).to_contain_text("5 of 5 criteria answered")
    expect(page.locator("main")).to_contain_text("evidence.pdf")
    mails = len(mail.outbox)
    press(page, "button[name=submit]")
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text("submitted for review")
    expect(page.locator("dl.facts")).to_contain_text("Submitted")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert mails_since(mails) == [("Submitted for review", (reviewer_mail,))]

    # --- the reviewer returns it with a validated level and a comment on C2
    log_out(page)
    log_in(page, base, "reviewer")
    page.goto(f"{base}/assessments/review/")
    queue = page.locator("table.data tbody")
    expect(queue).to_contain_text("Home University")
    expect(queue).to_contain_text("Submitted")
    press(page, "table.data tbody a:has-text('Home University')")
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/review/$"))
    expect(page.locator("section.summary")).to_contain_text(score_so_far)
    page.select_option('select[name="C2-level"]', "1")
    page.fill('textarea[name="C2-comment"]', "The C2 evidence does not show level 2.")
    page.fill("textarea[name=overall_comment]", "Please document C2 and check C4.")
    mails = len(mail.outbox)
    press(page, "button[name=return]")
    expect(page).to_have_url(re.compile(r"/assessments/review/$"))
    expect(page.locator("ul.messages")).to_contain_text("returned to the institution")
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED
    assert draft.review_comment == "Please document C2 and check C4."
    c2 = answer(draft, "C2")
    assert (c2.reviewed_value, c2.review_comment) == (1, "The C2 evidence does not show level 2.")
    assert mails_since(mails) == [
        ("Returned for changes", (dean_mail,)),
        ("Returned for changes", (officer_mail,)),
    ]
    assert "Please document C2 and check C4." in mail.outbox[-1].body

    # --- the officer sees the comments, changes C4 and submits again
    log_out(page)
    log_in(page, base, "officer")
    page.goto(fill)
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    expect(page.locator("main p.muted .status")).to_have_text("Returned for changes")
    expect(page.locator("main .alert").first).to_contain_text(
        "Returned by the reviewer: Please document C2 and check C4."
    )
    expect(page.locator("#criterion-C2 .review-note")).to_contain_text(
        "Reviewer: The C2 evidence does not show level 2."
    )
    expect(page.locator("#criterion-C1 .review-note")).to_have_count(0)
    expect(page.locator("#criterion-C2 .proposed-level")).to_have_text(
        "Reviewer's proposed level: Level 1"
    )
    expect(page.locator("#criterion-C1 .proposed-level")).to_have_count(0)
    steps = page.locator("nav.steps li")
    expect(steps.nth(0)).to_contain_text("(has reviewer notes)")
    expect(steps.nth(0).locator(".review-mark")).to_be_visible()
    expect(steps.nth(1)).not_to_contain_text("(has reviewer notes)")
    go_to_step(page, "D2")
    page.check(radio("D2", "C4", "2"))
    go_to_step(page, "review")
    assert level_of(draft, "C4") == 2
    mails = len(mail.outbox)
    press(page, "button[name=submit]")
    expect(page.locator("dl.facts")).to_contain_text("Submitted")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert mails_since(mails) == [("Submitted for review", (reviewer_mail,))]

    # --- the reviewer validates; the score page shows both scores
    log_out(page)
    log_in(page, base, "reviewer")
    page.goto(f"{base}/assessments/review/")
    press(page, "table.data tbody a:has-text('Home University')")
    expect(page.locator('select[name="C2-level"]')).to_have_value("1")
    mails = len(mail.outbox)
    press(page, "button[name=validate]")
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text("The assessment was validated.")
    expect(page.locator("dl.facts")).to_contain_text("Validated")
    draft.refresh_from_db()
    assert draft.status == Status.VALIDATED
    self_assessed = pct(assessment_result(draft).score)
    validated = pct(assessment_reviewed_result(draft).score)
    assert self_assessed != validated
    figures = page.locator("section.summary .figure")
    expect(figures.filter(has_text="Self-assessed score")).to_contain_text(self_assessed)
    expect(figures.filter(has_text="Validated score")).to_contain_text(validated)
    c2 = page.locator("table.criteria tbody tr").filter(has=page.locator("bdi.code", has_text="C2"))
    expect(c2.locator("td").nth(2)).to_have_text("Level 1")  # the validated level column
    expect(c2).to_contain_text("The C2 evidence does not show level 2.")
    assert mails_since(mails) == [("Validated", (dean_mail,)), ("Validated", (officer_mail,))]

    # --- the history lists the status changes, newest first
    page.goto(f"{base}/assessments/{draft.pk}/history/")
    rows = page.locator("table.data tbody tr").filter(has_text="status changed")
    expect(rows).to_have_count(4)
    changes = [
        (
            rows.nth(i).locator("td").nth(4).inner_text().strip(),
            rows.nth(i).locator("td").nth(5).inner_text().splitlines()[0].strip(),
        )
        for i in range(4)
    ]
    assert changes == [
        ("Submitted", "Validated"),
        ("Returned for changes", "Submitted"),
        ("Submitted", "Returned for changes"),
        ("Draft", "Submitted"),
    ]
    expect(rows.nth(2)).to_contain_text("Please document C2 and check C4.")


# --- 2. Arabic, right to left -----------------------------------------------------------------


def test_arabic_wizard_is_right_to_left(live_server, page, officer, draft, tmp_path):
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(f"{base}/assessments/{draft.pk}/fill/D1/")
    assert page.locator("html").get_attribute("dir") == "ltr"

    page.select_option("select[name=language]", "ar")
    press(page, "header form.lang button[type=submit]")
    expect(page).to_have_url(re.compile(r"/fill/D1/$"))
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    expect(page.locator("#criterion-C1 legend")).to_contain_text("Criterion one (ar)")
    expect(page.locator("main p.muted .status")).to_have_text("مسودة")  # Draft

    page.locator("#criterion-C1").get_by_label("Level 2 (ar)").check()
    page.fill(field("D1", "C1", "justification"), "سياسة معتمدة")
    press(page, "button[name=save_draft]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(radio("D1", "C1", "2"))).to_be_checked()
    shot = tmp_path / "wizard-ar.png"
    page.screenshot(path=str(shot), full_page=True)
    assert level_of(draft, "C1") == Decimal(2)
    assert answer(draft, "C1").justification == "سياسة معتمدة"

    assert shot.exists()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


# --- 3. two tabs, one assessment --------------------------------------------------------------


def test_two_tabs_same_assessment_conflict_is_shown(live_server, page, officer, draft):
    base = live_server.url
    log_in(page, base, "officer")
    step = f"{base}/assessments/{draft.pk}/fill/D1/"
    tab_a, tab_b = page, page.context.new_page()
    tab_a.goto(step)
    tab_b.goto(step)  # loaded before A saves

    tab_a.check(radio("D1", "C1", "3"))
    tab_a.fill(field("D1", "C1", "justification"), "Tab A: the policy is approved.")
    save_draft(tab_a)
    assert level_of(draft, "C1") == 3

    tab_b.check(radio("D1", "C1", "1"))
    tab_b.fill(field("D1", "C1", "justification"), "Tab B: the policy is a draft.")
    press(tab_b, "button[name=save_draft]")
    conflicts = tab_b.locator("section.conflicts")
    # The other tab is the same person: not named, and levels by their labels.
    expect(conflicts.locator("h2")).to_have_text("Changed in another tab or by another person")
    row = conflicts.locator("tbody tr")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("C1")
    expect(cells.nth(1)).to_contain_text("changed in another tab or by another person")
    theirs, yours = cells.nth(2).locator("dd"), cells.nth(3).locator("dd")
    expect(theirs.nth(0)).to_have_text("Level 3")
    expect(theirs.nth(1)).to_have_text("Tab A: the policy is approved.")
    expect(yours.nth(0)).to_have_text("Level 1")
    expect(yours.nth(1)).to_have_text("Tab B: the policy is a draft.")
    expect(tab_b.locator("ul.messages")).to_contain_text("Nothing of this step was saved")
    c1 = answer(draft, "C1")
    assert (c1.value, c1.justification) == (3, "Tab A: the policy is approved.")

    # B's version is still on the page; saving again keeps it.
    expect(tab_b.locator(radio("D1", "C1", "1"))).to_be_checked()
    save_draft(tab_b)
    expect(tab_b.locator("section.conflicts")).to_have_count(0)
    c1 = answer(draft, "C1")
    assert (c1.value, c1.justification) == (1, "Tab B: the policy is a draft.")
    assert c1.revision == 2


# --- 4. without JavaScript --------------------------------------------------------------------


def test_works_without_javascript(live_server, browser, officer, draft):
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, base, "officer")
        page.goto(f"{base}/assessments/{draft.pk}/fill/")
        expect(page).to_have_url(re.compile(r"/fill/D1/$"))
        page.check(radio("D1", "C1", "1"))
        page.check(radio("D1", "C2", "3"))
        page.check(radio("D1", "C3", "na"))
        page.fill(field("D1", "C2", "justification"), "Typed without JavaScript.")
        press(page, "button[name=next]")  # Save and continue
        expect(page).to_have_url(re.compile(r"/fill/D2/$"))
        assert [level_of(draft, code) for code in ("C1", "C2", "C3")] == [1, 3, "na"]
        assert answer(draft, "C2").justification == "Typed without JavaScript."

        page.check(radio("D2", "C4", "0"))
        page.check(radio("D2", "C5", "2"))
        press(page, ".buttons button[name=wizard_goto_step]")  # Back
        expect(page).to_have_url(re.compile(r"/fill/D1/$"))
        assert [level_of(draft, code) for code in ("C4", "C5")] == [0, 2]
        expect(page.locator(radio("D1", "C3", "na"))).to_be_checked()

        go_to_step(page, "review")
        expect(page.locator("section.summary")).to_contain_text("5 of 5 criteria answered")
        press(page, "button[name=submit]")
        expect(page.locator("dl.facts")).to_contain_text("Submitted")
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED
    finally:
        context.close()
