"""Two-factor set-up and log-in in a real browser: the QR code shows under the strict CSP
and the pages fit right-to-left."""

from __future__ import annotations

import os
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qa_tool.institutions.models import Role

from ..factories import PASSWORD, UserFactory
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


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():0{device.digits}d}"


def press(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def fits_width(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_set_up_then_log_in_with_a_code(live_server, page, transactional_db):
    UserFactory(username="reviewer", role=Role.REVIEWER, institution=None)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Refused" in message.text else 0
    )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    press(page, "main button.primary")

    press(page, "header nav a[href='/account/two-factor/']")
    press(page, "main button.primary")
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    expect(page.locator("code.otpauth")).to_contain_text("otpauth://totp/")
    device = TOTPDevice.objects.get(user__username="reviewer")
    page.fill("input[name=otp_token]", current_code(device))
    press(page, "main form.stack button.primary")
    expect(page.locator("ul.messages")).to_contain_text("Two-factor authentication is on.")

    press(page, "header form.logout button")
    page.goto(f"{base}/login/?next=/rubrics/")
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    press(page, "main button.primary")
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/\?next=%2Frubrics%2F$"))
    page.fill("input[name=otp_token]", current_code(device, steps_ahead=1))
    press(page, "main button.primary")
    expect(page).to_have_url(re.compile(r"/rubrics/$"))
    assert refused == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_account_pages_fit_in_both_directions(live_server, page, transactional_db, language):
    UserFactory(username="officer", role=Role.OFFICER)
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    press(page, "main button.primary")
    for path in ("/account/sessions/", "/account/two-factor/"):
        page.goto(f"{base}{path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        if path.endswith("two-factor/"):
            press(page, "main button.primary")
            expect(page.locator("figure.qr svg")).to_be_visible()
        assert fits_width(page), path
