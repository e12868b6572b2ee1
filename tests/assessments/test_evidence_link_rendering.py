"""Evidence links: only http(s) addresses are rendered as links, on every page and the PDF.

Drafts keep whatever was typed; a ``javascript:`` or ``data:`` line must reach deans and
reviewers as text, never as ``<a href>``.
"""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from qa_tool.assessments.models import Response
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_submit
from qa_tool.assessments.templatetags.evidence_links import evidence_link
from qa_tool.benchmarks.audience import Audience
from reports.context import build_report_context

HOSTILE = [
    "javascript:alert(1)",
    " JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
GOOD = "https://example.org/policy.pdf"
LINKS = "\n".join([*HOSTILE, GOOD])


def hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


def assert_only_web_links(page: str) -> None:
    found = hrefs(page)
    assert GOOD in found
    assert not [h for h in found if re.match(r"\s*(javascript|data|vbscript):", h, re.I)]
    assert "alert(1)" in page  # shown, as text
    assert "<script>alert(1)</script>" not in page


@pytest.fixture
def with_links(assessment):
    assessment_save_answers(
        assessment=assessment, answers={"C1": AnswerInput(value=3, links=LINKS)}
    )
    return assessment


@pytest.fixture
def submitted_with_links(assessment):
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=2)})
    assessment_submit(assessment=assessment)
    # Stored before submitting checked links, or written by an older version.
    Response.objects.filter(assessment=assessment, criterion__code="C1").update(
        evidence_links=LINKS
    )
    return assessment


@pytest.mark.parametrize("link", HOSTILE)
def test_the_filter_renders_anything_but_http_as_text(link):
    rendered = str(evidence_link(link))
    assert "<a " not in rendered and "href" not in rendered
    assert "<script>" not in rendered


def test_the_filter_renders_a_web_address_as_a_link():
    rendered = str(evidence_link(GOOD))
    assert rendered.startswith(f'<a href="{GOOD}" rel="noopener noreferrer nofollow"')


def test_results_page_shows_hostile_links_as_text_to_the_dean(client, dean, with_links):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[with_links.pk])).content.decode()
    assert_only_web_links(page)


def test_wizard_review_step_shows_hostile_links_as_text(client, officer, with_links):
    client.force_login(officer)
    url = reverse("assessments:fill_step", args=[with_links.pk, "review"])
    assert_only_web_links(client.get(url).content.decode())


def test_review_page_shows_hostile_links_as_text_to_the_reviewer(
    client, reviewer, submitted_with_links
):
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[submitted_with_links.pk])
    assert_only_web_links(client.get(url).content.decode())


def test_pdf_template_shows_hostile_links_as_text(submitted_with_links):
    with translation.override("en"):
        context = build_report_context(
            assessment=submitted_with_links, audience=Audience.centre(), language="en"
        )
        html = render_to_string(
            "reports/report_pdf.html",
            {
                "report": context,
                "charts": {},
                "rtl": False,
                "html_lang": "en",
                "fonts": "",
                "page_footer": '""',
            },
        )
    assert_only_web_links(html)
