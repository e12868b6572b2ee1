"""Benchmark charts as plain SVG strings: pure Python, no Django.

The same markup goes into HTML pages and, through WeasyPrint, into PDFs, so it sticks
to what every renderer draws the same way:

* only ``svg, g, path, line, polyline, polygon, rect, circle, text, title, desc``
  elements (see ``ALLOWED_ELEMENTS``); no script, style, CSS classes, filters, markers,
  masks, clip paths, gradients, images or external references; presentation through
  attributes only;
* every chart has ``width``, ``height``, ``viewBox``, ``role="img"`` and an
  ``aria-labelledby`` naming its ``<title>`` and ``<desc>``, whose ids come from the
  caller's ``id_prefix`` (``{id_prefix}-title`` and ``{id_prefix}-desc``; layer groups
  get ``{id_prefix}-<layer>`` ids), so several charts can share a page;
* the title and description are not drawn: the page around the chart shows its own
  heading. They are what screen readers announce;
* every piece of text is XML-escaped. Labels are rubric or user content in any
  script; text is never measured, only estimated from its character count (wide CJK
  characters count double), wrapped onto up to three lines (at spaces, anywhere
  between Chinese characters) and only then cut with "…". A label
  whose first strong character is right-to-left (Arabic, Hebrew) is wrapped in
  RIGHT-TO-LEFT MARKs (U+200F) so that an ellipsis or punctuation at either end is
  placed as an Arabic reader expects;
* WeasyPrint draws SVG text one code point at a time without bidi reordering or
  shaping (Kozea/WeasyPrint#2909), which mirrors Arabic and leaves its letters
  unjoined. Charts meant for a WeasyPrint PDF take ``for_weasyprint=True``: their
  right-to-left labels are then shaped into Arabic presentation forms
  (arabic-reshaper) and written in display order by the Unicode bidi algorithm
  (python-bidi), with Arabic diacritics dropped. That text draws right in
  WeasyPrint but is backwards for browsers, screen readers and copy-paste, so keep
  the default for HTML pages (the title and description are never transformed);
* the root carries ``direction="ltr"``, so ``text-anchor`` always means the physical
  side even inside a ``dir="rtl"`` page; right-to-left charts (``rtl=True``) are laid
  out mirrored explicitly;
* coordinates have at most one decimal; values shown as text have exactly one decimal,
  rounded half away from zero by ``qa_tool.core.numbers.display``, written by the
  caller's ``Typeset.number`` (a report passes its locale's format: 66,7 in French);
  ``Typeset.fonts`` names the font families, the report language's first.

Values are percentages from 0 to 100, or ``None`` for "no score". Values outside 0..100
are drawn clamped to the scale (the text shows the real value).

Modules: ``svg`` (elements, escaping, attribute checks), ``values``, ``text`` (width
estimates, wrapping, truncation), ``rtl`` (right-to-left labels), the shared pieces
``parts``, ``series`` and ``legend``, and one module per chart: ``radar``, ``bar``,
``trend``.
"""

from __future__ import annotations

from .bar import bar_chart
from .radar import radar_chart
from .series import Series
from .style import FONT_FAMILY, INSTITUTION, IQR_BAND, PALETTE, PEERS, Typeset
from .svg import ALLOWED_ELEMENTS
from .trend import trend_chart

__all__ = [
    "ALLOWED_ELEMENTS",
    "FONT_FAMILY",
    "INSTITUTION",
    "IQR_BAND",
    "PALETTE",
    "PEERS",
    "Series",
    "Typeset",
    "bar_chart",
    "radar_chart",
    "trend_chart",
]
