"""The invitation flow in a real browser: an officer invites a colleague, who follows the
e-mailed link, sets a name and password, and signs in; the link then refuses a second use."""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail

from qa_tool.institutions.models import Role, User

from ..factories import PASSWORD, InstitutionFactory, UserFactory
from .conftest import CHROMIUM

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

NEW_PASSWORD = "a-long-new-pass-7731"


def press(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    press(page, "main button.primary")


def test_invite_accept_and_sign_in(live_server, page, transactional_db, settings):
    settings.SITE_URL = live_server.url
    home = InstitutionFactory(code="HOME", name="Home University")
    UserFactory(username="officer", role=Role.OFFICER, institution=home)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Refused" in message.text else 0
    )
    base = live_server.url
    log_in(page, base, "officer", PASSWORD)
    press(page, "header nav a[href='/account/people/']")
    expect(page.locator("h1")).to_contain_text("Home University")
    page.fill("input[name=email]", "colleague@example.org")
    page.select_option("select[name=role]", Role.LEADER.value)
    press(page, "main form button.primary")
    expect(page.locator(".messages")).to_contain_text("colleague@example.org")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    press(page, "header form.logout button")

    page.goto(link)
    expect(page.locator("h1")).to_contain_text("Home University")
    page.fill("input[name=first_name]", "Nadia")
    page.fill("input[name=last_name]", "Benali")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    press(page, "main form button.primary")
    expect(page.locator(".messages")).to_contain_text("Your account is ready")

    log_in(page, base, "nadia", NEW_PASSWORD)
    expect(page.locator("header .who")).to_contain_text("Nadia Benali")
    person = User.objects.get(username="nadia")
    assert (person.role, person.institution_id) == (Role.LEADER, home.pk)
    # Her profile, from the header: Arabic pages are right-to-left and fit the width.
    press(page, "header a.who")
    page.select_option("main select[name=language]", "ar")
    press(page, "main form button.primary")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    person.refresh_from_db()
    assert person.language == "ar"
    if os.environ.get("QA_SCREENSHOTS"):
        page.screenshot(path=os.environ["QA_SCREENSHOTS"] + "/profile-ar.png", full_page=True)
    press(page, "header form.logout button")

    page.goto(link)
    # Signed out, the browser keeps her language: the refusal reads in Arabic.
    expect(page.locator("main")).to_contain_text("سبق استخدام هذه الدعوة")
    assert refused == []


def test_password_reset_by_e_mail(live_server, page, transactional_db, settings):
    """Forgot the password: the log-in page leads to the e-mailed one-time link, the new
    password signs in, and the link then refuses a second use."""
    settings.SITE_URL = live_server.url
    home = InstitutionFactory(code="HOME", name="Home University")
    UserFactory(username="amina", email="amina@example.org", role=Role.OFFICER, institution=home)
    base = live_server.url
    page.goto(f"{base}/login/")
    press(page, "main a[href='/password-reset/'], main a:has-text('Forgot your password?')")
    page.fill("input[name=email]", "amina@example.org")
    press(page, "main form button.primary")
    expect(page.locator("h1")).to_contain_text("Check your e-mail")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)

    page.goto(link)  # Django moves the token into the session and redirects
    expect(page.locator("h1")).to_contain_text("Choose a new password")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    press(page, "main form button.primary")
    log_in(page, base, "amina", NEW_PASSWORD)
    expect(page.locator("header")).to_contain_text("amina")

    press(page, "header form.logout button")
    page.goto(link)
    expect(page.locator("main")).to_contain_text("This link is not valid any more")
