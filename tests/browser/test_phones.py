"""Every main page on a phone (360 × 740 CSS pixels), in English and Arabic, with the demo data.

For each page and language the test checks that the page never scrolls sideways (wide tables
scroll inside their own box), that no request leaves the site, and that axe-core (from the npm
registry, installed into node_modules by ``make test``) finds no critical or serious
accessibility violation. It writes a full-page screenshot of each to test-output/phone/
(git-ignored) for people to look at: ``<language>-<page>.png``.

One test walks every page, so the demo data is seeded once; it reports every problem found,
not just the first.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from .conftest import CHROMIUM
from ..main_pages import main_pages

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUBRICS = (ROOT / "rubrics" / "library").glob("*.yaml")
SCREENSHOTS = ROOT / "test-output" / "phone"
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("en", "ar")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def axe_problems(page) -> list[str]:
    """Critical and serious axe-core violations on the page, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations
            .filter(v => v.impact === "critical" || v.impact === "serious")
            .map(v => v.id + " (" + v.impact + "): " + v.help + " — " +
                 v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return list(result)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core missing: run `make test` (npm ci)")
def test_main_pages_fit_a_phone_and_pass_axe(live_server, browser):
    call_command("import_rubric", *sorted(map(str, RUBRICS)), verbosity=0)
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    host = urlsplit(base).netloc
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = main_pages()
    assert len(pages) >= 15, [p.name for p in pages]
    problems: list[str] = []
    for language in LANGUAGES:
        for user, group in pages.by_user():
            # bypass_csp lets axe-core be injected into pages whose policy forbids it; the
            # pages' own behaviour does not depend on it.
            # Not is_mobile: a mobile viewport zooms out to fit a too-wide page, which would
            # hide the very overflow looked for here.
            context = browser.new_context(viewport=PHONE, bypass_csp=True)
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            if user is not None:
                context.add_cookies([session_cookie(user, base)])
            page = context.new_page()
            elsewhere: list[str] = []
            page.on(
                "request",
                lambda r: (
                    elsewhere.append(r.url)
                    if urlsplit(r.url).scheme in ("http", "https")
                    and urlsplit(r.url).netloc != host
                    else None
                ),
            )
            for item in group:
                where = f"{language} {item.name} ({item.path})"
                response = page.goto(base + item.path)
                if response is None or response.status != 200:
                    problems.append(f"{where}: HTTP {response and response.status}")
                    continue
                if page.evaluate("document.documentElement.lang") != language:
                    problems.append(f"{where}: not in {language}")
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if width[0] > width[1] or width[1] > PHONE["width"]:
                    problems.append(f"{where}: scrolls sideways ({width[0]} > {width[1]} px)")
                page.screenshot(
                    path=str(SCREENSHOTS / f"{language}-{item.name}.png"), full_page=True
                )
                problems.extend(f"{where}: {p}" for p in axe_problems(page))
            problems.extend(f"{language}: request to another host: {url}" for url in elsewhere)
            context.close()
    assert not problems, "\n".join(problems)
