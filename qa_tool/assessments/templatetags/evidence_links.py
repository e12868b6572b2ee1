"""One place that turns a stored evidence link into a live link, for every page and the PDF.

Drafts hold whatever was typed (links are checked when submitting, not when saving), and
deans and reviewers read drafts: a ``javascript:`` or ``data:`` link rendered as ``<a href>``
would run in their session. Only an http(s) address becomes a link; anything else is text.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..evidence import invalid_links

register = template.Library()


def is_web_address(text: str) -> bool:
    """Whether ``text`` is one http(s) address, the only kind rendered as a link."""
    text = text.strip()
    return bool(text) and len(text.splitlines()) == 1 and not invalid_links(text)


@register.filter
def evidence_link(link: str) -> SafeString:
    """``<a href>`` for an http(s) address, else the text itself (escaped), never a link."""
    link = str(link or "")
    if is_web_address(link):
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank" dir="ltr">{}</a>',
            link.strip(),
            link,
        )
    return format_html('<span dir="ltr">{}</span>', link)
