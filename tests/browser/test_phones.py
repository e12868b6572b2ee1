"""Every main page on a phone (360 x 740 CSS pixels), in English and Arabic, with the demo data.

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

from qa_tool.assessments.services import assessment_start
from qa_tool.institutions.models import User

from ..main_pages import main_pages
from .conftest import CHROMIUM

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


# aria-describedby and its kin naming ids that are not on the page (help texts rendered
# without their id, say): screen readers then read nothing.
MISSING_IDREFS = """() => {
  const missing = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"]) {
    for (const el of document.querySelectorAll("[" + attr + "]")) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(attr + "=" + id);
      }
    }
  }
  return missing;
}"""


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
        # Signed-in people see their own language: make it the one under test.
        User.objects.update(language=language)
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
            requested: list[str] = []
            page.on("request", lambda r, log=requested: log.append(r.url))
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
                missing = page.evaluate(MISSING_IDREFS)
                if missing:
                    problems.append(f"{where}: refers to ids that do not exist: {missing}")
                page.screenshot(
                    path=str(SCREENSHOTS / f"{language}-{item.name}.png"), full_page=True
                )
                if AXE.exists():
                    problems.extend(f"{where}: {p}" for p in axe_problems(page))
            problems.extend(
                f"{language}: request to another host: {url}"
                for url in requested
                if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host
            )
            context.close()
    assert not problems, "\n".join(problems)
    if not AXE.exists():
        pytest.skip(f"widths checked, but axe-core is missing ({AXE}): run `make test`")


@pytest.mark.parametrize("language", LANGUAGES)
def test_wizard_on_a_phone(
    live_server, browser, officer, institution, rubric_version, cycle, language
):
    """The step bar is one compact row, a skip link leads past it to the first criterion, and
    unanswered criteria say so in words, not only by colour."""
    assessment, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [
            {"name": "django_language", "value": language, "url": base},
            session_cookie(officer, base),
        ]
    )
    page = context.new_page()
    page.goto(f"{base}/assessments/{assessment.pk}/fill/")
    steps = page.locator("nav.steps")
    assert steps.bounding_box()["height"] < 90  # one row, not the whole first screen
    steps_total = rubric_version.domains.count() + 1  # and "Review and submit"
    assert page.locator("p.step-of").is_visible()
    if language == "en":
        assert page.locator("p.step-of").inner_text() == f"Step 1 of {steps_total}"
    current = page.locator("nav.steps li.current")
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    skip = page.locator("a.skip-inline")
    assert not skip.is_visible() or skip.bounding_box()["width"] <= 1
    skip.focus()
    assert skip.is_visible()
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "step-content"
    unanswered = page.locator("fieldset.criterion.unanswered")
    assert unanswered.count() > 0
    assert unanswered.count() == page.locator("fieldset.criterion .not-answered").count()
    assert unanswered.first.locator("legend .not-answered").is_visible()
    # The focus is visible: an outline of some width on a focused button.
    page.locator("button[name=save_draft]").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    context.close()
