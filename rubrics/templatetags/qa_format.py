"""Display helpers: rubric texts in the current language, locale-aware percentages."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi

from qa_tool.core.heat import bucket as heat_bucket
from qa_tool.core.numbers import display
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.models import RubricVersion
from rubrics.scoring import canonical_number_text

register = template.Library()


@register.filter
def tr(text: Any) -> str:
    """A rubric text (language map) in the current language, falling back to English."""
    return localize(text, get_language())


def decimal_text(value: Fraction | Decimal | int) -> str:
    """A number as every table and chart shows it: one decimal, half away from zero, in
    the active language's format (66.7, 66,7)."""
    return number_format(display(value), 1)


@register.filter
def pct(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{decimal_text(value)} %"


@register.filter
def num(value: Any) -> str:
    """An exact number (points, weights, level values) without needless decimals."""
    if value is None:
        return "—"
    number = scoring.plain_number(scoring.exact(value))
    return number_format(number)


@register.simple_tag
def band_label(version: RubricVersion, band: scoring.Band | None) -> str:
    if band is None:
        return "—"
    return localize(version.bands[band.position]["label"], get_language())


@register.filter
def level_text(texts: dict[str, Any] | None, value: Any) -> str:
    """The descriptor or recommendation of a level (keys are canonical number strings)."""
    if not texts:
        return ""
    return localize(texts.get(canonical_number_text(scoring.exact(value))), get_language())


@register.filter
def lines(text: Any) -> list[str]:
    return str(text).splitlines()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: Any) -> Any:
    if not mapping:
        return ""
    return mapping.get(str(key), "")


@register.simple_tag
def level_label_tag(version: RubricVersion, value: Any) -> str:
    return version.level_label(value)


@register.filter
def heat(value: Any) -> str:
    """A CSS class for a heat-table cell: heat-0 (below 10 %) to heat-9 (90 % and above)."""
    if value is None:
        return "heat-none"
    return f"heat-{heat_bucket(scoring.exact(value))}"


@register.filter
def cssstr(value: Any) -> str:
    """A CSS string literal (for @page content), escaped so text cannot break out."""
    text = str(value)
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;!?()-_/·–—%" or ord(ch) > 127 else f"\\{ord(ch):x} "
        for ch in text
    )
    # Safe for HTML too: <, >, & and quotes are escaped by the CSS rule above.
    return mark_safe(f'"{escaped}"')


@register.simple_tag
def arrow() -> str:
    """ "From … to" arrow pointing in the reading direction."""
    return "←" if get_language_bidi() else "→"


@register.filter
def text_dir(value: Any) -> str:
    """ "rtl" or "ltr" by the first strong character, as the Unicode bidi algorithm's
    paragraph rule does. For the PDF: WeasyPrint ignores ``dir="auto"``, so user text in a
    right-to-left report would otherwise lose its punctuation to the wrong end."""
    for char in str(value or ""):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "rtl" if get_language_bidi() else "ltr"


LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
WORD_JOINER = "\u2060"
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def _mixed(text: str) -> bool:
    kinds = {unicodedata.bidirectional(char) for char in text}
    return "L" in kinds and bool(kinds & {"R", "AL"})


@register.filter(needs_autoescape=True)
def isolate(value: Any, autoescape: bool = True) -> SafeString:
    """User-entered or Latin text set apart from the text around it, in its own direction,
    so that its punctuation stays with it: "Quality committee." in an Arabic cell keeps
    its full stop at the end, "e-learning Head" its hyphen.

    ``<bdi dir>`` does it in browsers; WeasyPrint (70) has neither ``<bdi>`` nor
    ``unicode-bidi``, so the text is also wrapped in the Unicode isolate characters
    (LRI or RLI ... PDI), which Pango's bidi algorithm honours and which draw nothing."""
    if value is None or value == "":
        return mark_safe("")
    direction = text_dir(value)
    opening = RLI if direction == "rtl" else LRI
    text = conditional_escape(value) if autoescape else str(value)
    if _mixed(text):
        # A line broken after the hyphen of "e-learning" inside Arabic text leaves the
        # hyphen on the wrong side of "e"; a word joiner keeps the word whole.
        text = _HYPHENATED.sub("-" + WORD_JOINER, text)
    return mark_safe(f'<bdi dir="{direction}">{opening}{text}{PDI}</bdi>')
