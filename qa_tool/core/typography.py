"""Typographic rules applied to text at render time. Pure Python (no Django).

French puts a space before ``; ! ? :`` and inside « »; typed as an ordinary space it
lets a line break leave the mark alone at the start of the next line. The rule here
(as the Imprimerie nationale's, and LibreOffice's autocorrect) turns that space into a
no-break one: narrow (U+202F) before ``; ! ?``, full (U+00A0) before ``:`` and inside
« ». Only a space already there is changed (``10:30``, ``https://`` or an HTML entity
such as ``&amp;`` have none), except inside « », where one is always wanted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NBSP = "\u00a0"
NNBSP = "\u202f"

_SPACES = "[ \u00a0\u202f\u2009]"
_BEFORE_NARROW = re.compile(rf"{_SPACES}+(?=[;!?])")
_BEFORE_COLON = re.compile(rf"{_SPACES}+(?=:)")
_AFTER_OPENING = re.compile(rf"«{_SPACES}*")
_BEFORE_CLOSING = re.compile(rf"{_SPACES}*»")

# Text between tags, outside <style> and <script>, whose content is not text.
_RAW = re.compile(r"(<(style|script)\b.*?</\2\s*>)|(<[^>]*>)", re.DOTALL | re.IGNORECASE)


def french_spacing(text: str) -> str:
    """``text`` with French no-break spaces before ``; ! ? :`` and inside « »."""
    text = _BEFORE_NARROW.sub(NNBSP, text)
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


def in_text(html: str, rule: Callable[[str], str]) -> str:
    """``rule`` applied to the text of an HTML document, never to its tags, attribute
    values, styles or scripts."""
    out: list[str] = []
    position = 0
    for match in _RAW.finditer(html):
        out.append(rule(html[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(rule(html[position:]))
    return "".join(out)


RULES: dict[str, Callable[[str], str]] = {"fr": french_spacing}


def typeset_html(html: str, language: str) -> str:
    """The language's typographic rules applied to the text of an HTML document."""
    rule = RULES.get(language)
    return in_text(html, rule) if rule else html
