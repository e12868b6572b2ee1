"""SVG primitives: elements, escaping, and checks on what callers put into attributes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from .style import DEFAULT_FONTS, FONT_SIZE, TEXT, font_family

SVG_NS = "http://www.w3.org/2000/svg"
# What HTML pages and WeasyPrint draw alike; anything else (styles, filters, markers,
# references...) is drawn differently or not at all by one of them.
ALLOWED_ELEMENTS = frozenset(
    {"svg", "g", "path", "line", "polyline", "polygon", "rect", "circle", "text", "title", "desc"}
)

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?\Z|[A-Za-z]+\Z")


def num(x: float) -> str:
    """A coordinate with at most one decimal and no trailing ``.0``."""
    text = f"{round(x, 1):.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def xml_text(text: str) -> str:
    """Escaped character data, without the characters XML 1.0 cannot carry at all."""
    return escape(_NOT_XML.sub("", text))


def _attr(value: str) -> str:
    return escape(_NOT_XML.sub("", value), {'"': "&quot;"})


def el(tag: str, attrs: dict[str, object], inner: str | None = None) -> str:
    """One element; ``inner`` is markup that is already escaped; ``None`` values are left out."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = num(value)
        parts.append(f'{name}="{_attr(str(value))}"')
    head = " ".join(parts)
    if inner is None:
        return f"<{head}/>"
    return f"<{head}>{inner}</{tag}>"


def attributes(attrs: dict[str, object]) -> dict[str, object]:
    """Python keyword names as SVG attribute names (``text_anchor`` is ``text-anchor``)."""
    return {name.replace("_", "-"): value for name, value in attrs.items()}


def text(x: float, y: float, content: str, **attrs: object) -> str:
    return el("text", {"x": x, "y": y} | attributes(attrs), xml_text(content))


def title_el(content: str, element_id: str | None = None) -> str:
    return el("title", {"id": element_id}, xml_text(content))


def group(element_id: str | None, parts: list[str]) -> str:
    return el("g", {"id": element_id}, "".join(parts))


def polyline_points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def document(
    *,
    width: float,
    height: float,
    title: str,
    description: str,
    id_prefix: str,
    body: str,
    fonts: Sequence[str] = DEFAULT_FONTS,
) -> str:
    """The root element. ``direction="ltr"`` keeps ``text-anchor`` physical inside a
    ``dir="rtl"`` page: right-to-left charts are mirrored by their own coordinates."""
    return el(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": width,
            "height": height,
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "font-family": font_family(fonts),
            "font-size": FONT_SIZE,
            "fill": TEXT,
            "direction": "ltr",
        },
        title_el(title, f"{id_prefix}-title")
        + el("desc", {"id": f"{id_prefix}-desc"}, xml_text(description))
        + body,
    )


def check_common(id_prefix: str, max_label_chars: int) -> None:
    # The prefix goes into id attributes unescaped by the page around the chart, and
    # into aria-labelledby, which splits on spaces.
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be an XML name (letters, digits, _ . -): {id_prefix!r}")
    if max_label_chars < 2:
        raise ValueError("max_label_chars must be at least 2")


def check_colour(colour: str) -> str:
    # Escaping alone would still let url(...) or a CSS expression through.
    if not _COLOUR.match(colour):
        raise ValueError(f"colour must be #rgb, #rrggbb or a colour name: {colour!r}")
    return colour
