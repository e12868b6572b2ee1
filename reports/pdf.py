"""The PDF action-plan report, rendered by WeasyPrint from the report context.

Resources are fetched by a deny-by-default fetcher: the project's own static
files (``qa-static:`` URLs) and ``data:`` URLs, nothing else: no network, no
``file://``. Fonts are named by family for each language (``reports.fonts``); a
missing family is logged and the report still renders with what fontconfig finds.
French text gets its no-break spaces (``qa_tool.core.typography``) once the HTML is
rendered, so that translated, rubric and user text all follow one rule.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from qa_tool.core.typography import typeset_html
from rubrics.templatetags.qa_format import cssstr

from .charts import report_charts
from .context import ReportContext
from .fonts import report_families, wanted_families

logger = logging.getLogger(__name__)

STATIC_SCHEME = "qa-static:"


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files and data: URLs; refuses everything else."""

    def fetch(self, url: str, headers=None):
        if url.startswith(STATIC_SCHEME):
            relative = url[len(STATIC_SCHEME) :].lstrip("/")
            path = finders.find(relative) if relative and ".." not in Path(relative).parts else None
            if not path:
                raise ValueError(f"not a static file: {url}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, Path(path).read_bytes(), headers={"Content-Type": content_type}
            )
        if url.startswith("data:"):
            return super().fetch(url, headers)
        logger.warning("PDF report: refused to fetch %s", url[:200])
        raise ValueError(f"fetching {url[:80]} is not allowed")


@cache
def installed_families() -> frozenset[str]:
    """Font families fontconfig knows (empty when fc-list is unavailable)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return frozenset()
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font_stack(language: str) -> list[str]:
    """The families named in the PDF's CSS: the language's own, then Latin fallbacks."""
    wanted = wanted_families(language)
    available = installed_families()
    if not any(family in available for family in wanted):
        logger.warning(
            "PDF report in %s: none of the fonts %s is installed; text may show as boxes. "
            "Install fonts-noto-core and fonts-noto-cjk.",
            language,
            ", ".join(wanted),
        )
    return list(report_families(language))


def page_footer_css() -> str:
    """'Page X of Y' in the active language, as a CSS content value with page counters."""
    template = _("Page %(page)s of %(pages)s")
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", template)
    return " ".join(counters.get(part) or cssstr(part) for part in parts if part)


def render_pdf(context: ReportContext) -> bytes:
    return html_to_pdf(report_html(context))


def report_html(context: ReportContext) -> str:
    """The report as the HTML WeasyPrint lays out, typeset for its language (the harness
    times the two apart)."""
    language = context.language
    html = render_to_string(
        "reports/report_pdf.html",
        {
            "report": context,
            "charts": report_charts(context, for_weasyprint=True),
            "fonts": ", ".join(f'"{family}"' for family in font_stack(language)),
            "rtl": get_language_bidi(),
            "html_lang": "zh-Hans" if language == "zh-hans" else language,
            "page_footer": page_footer_css(),
        },
    )
    return typeset_html(html, language)


def html_to_pdf(html: str) -> bytes:
    font_config = FontConfiguration()
    return HTML(
        string=html, base_url=STATIC_SCHEME + "/", url_fetcher=StaticOnlyFetcher()
    ).write_pdf(font_config=font_config)
