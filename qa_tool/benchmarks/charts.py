"""Benchmark charts as plain SVG strings: pure Python, no Django, no third-party code.

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
  characters count double) and truncated with "…" to ``max_label_chars``. A label
  whose first strong character is right-to-left (Arabic, Hebrew) is wrapped in
  RIGHT-TO-LEFT MARKs (U+200F) so that an ellipsis or punctuation at either end is
  placed as an Arabic reader expects;
* WeasyPrint draws SVG text one code point at a time without bidi reordering or
  shaping (Kozea/WeasyPrint#2909), which mirrors Arabic and leaves its letters
  unjoined. Charts meant for a WeasyPrint PDF take ``for_weasyprint=True``: their
  right-to-left labels are then shaped into Arabic presentation forms and written
  in visual order, with Arabic diacritics dropped. That text draws right in
  WeasyPrint but is backwards for browsers, screen readers and copy-paste, so keep
  the default for HTML pages (the title and description are never transformed);
* the root carries ``direction="ltr"``, so ``text-anchor`` always means the physical
  side even inside a ``dir="rtl"`` page; right-to-left charts (``rtl=True``) are laid
  out mirrored explicitly;
* coordinates have at most one decimal; values shown as text have exactly one decimal,
  rounded half up, like ``rubrics.scoring.display``.

Values are percentages from 0 to 100, or ``None`` for "no score". Values outside 0..100
are drawn clamped to the scale (the text shows the real value).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from xml.sax.saxutils import escape

__all__ = [
    "ALLOWED_ELEMENTS",
    "FONT_FAMILY",
    "INSTITUTION",
    "IQR_BAND",
    "PALETTE",
    "PEERS",
    "Series",
    "bar_chart",
    "radar_chart",
    "trend_chart",
]

# Colour-blind-safe: blue and orange differ in hue and lightness; the extras are from
# the Okabe-Ito palette.
INSTITUTION = "#1f5fa8"
PEERS = "#e08a00"
IQR_BAND = "#c9ced6"
PALETTE = (INSTITUTION, PEERS, "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
TEXT = "#1f2933"
MUTED = "#5b6573"
GRID = "#d5d9e0"
AXIS = "#8a94a3"

FONT_FAMILY = '"Noto Sans", "Noto Naskh Arabic", "Noto Sans CJK SC", "DejaVu Sans", sans-serif'
ALLOWED_ELEMENTS = frozenset(
    {"svg", "g", "path", "line", "polyline", "polygon", "rect", "circle", "text", "title", "desc"}
)
SVG_NS = "http://www.w3.org/2000/svg"
NO_SCORE = "\u2014"  # em dash
ELLIPSIS = "\u2026"
RLM = "\u200f"
DEFAULT_MAX_LABEL_CHARS = 28

FONT_SIZE = 11
SMALL_FONT_SIZE = 10
CHAR_EM = 0.57  # estimated average advance of one narrow character, in em
PAD = 8
GRID_LEVELS = (0, 25, 50, 75, 100)

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?\Z|[A-Za-z]+\Z")


@dataclass(frozen=True)
class Series:
    """One line or polygon: a label for the legend, one value per axis or cycle.

    ``colour`` is a hex colour (``#1f5fa8``) or a plain colour name; ``dashed`` draws
    the line dashed (use it for a second or comparison series so that the chart also
    reads in grey scale).
    """

    label: str
    values: list[float | None]
    colour: str
    dashed: bool = False


# --- markup helpers ----------------------------------------------------------------------


def _num(x: float) -> str:
    """A coordinate with at most one decimal and no trailing ``.0``."""
    text = f"{round(x, 1):.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _xml_text(text: str) -> str:
    """Escaped character data, without the characters XML 1.0 cannot carry at all."""
    return escape(_NOT_XML.sub("", text))


def _attr(value: str) -> str:
    return escape(_NOT_XML.sub("", value), {'"': "&quot;"})


def _el(tag: str, attrs: dict[str, object], inner: str | None = None) -> str:
    """One element; ``inner`` is markup that is already escaped."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = _num(value)
        parts.append(f'{name}="{_attr(str(value))}"')
    head = " ".join(parts)
    if inner is None:
        return f"<{head}/>"
    return f"<{head}>{inner}</{tag}>"


def _text(x: float, y: float, content: str, **attrs: object) -> str:
    attributes: dict[str, object] = {"x": x, "y": y}
    attributes.update({name.replace("_", "-"): value for name, value in attrs.items()})
    return _el("text", attributes, _xml_text(content))


def _title(content: str, element_id: str | None = None) -> str:
    return _el("title", {"id": element_id}, _xml_text(content))


def _svg(
    *, width: float, height: float, title: str, description: str, id_prefix: str, body: str
) -> str:
    return _el(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": width,
            "height": height,
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "font-family": FONT_FAMILY,
            "font-size": FONT_SIZE,
            "fill": TEXT,
            "direction": "ltr",
        },
        _title(title, f"{id_prefix}-title")
        + _el("desc", {"id": f"{id_prefix}-desc"}, _xml_text(description))
        + body,
    )


def _check_common(id_prefix: str, max_label_chars: int) -> None:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be an XML name (letters, digits, _ . -): {id_prefix!r}")
    if max_label_chars < 2:
        raise ValueError("max_label_chars must be at least 2")


def _check_colour(colour: str) -> str:
    if not _COLOUR.match(colour):
        raise ValueError(f"colour must be #rgb, #rrggbb or a colour name: {colour!r}")
    return colour


def _value(value: object) -> float | None:
    """A number (int, float, Decimal, Fraction) or None, as a finite float."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise TypeError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def _show(value: float | int | Decimal | Fraction) -> str:
    """A value for reading: one decimal, half up."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    else:
        exact = Decimal(value)
    text = str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return "0.0" if text == "-0.0" else text


def _check_lengths(name: str, items: Sequence[object] | None, expected: int) -> None:
    if items is not None and len(items) != expected:
        raise ValueError(f"{name} has {len(items)} items, expected {expected}")


# --- text estimation ---------------------------------------------------------------------


def _char_units(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _units(text: str) -> int:
    """Estimated width in narrow characters: wide (CJK) characters count two."""
    return sum(_char_units(char) for char in text)


def _px(units: float, font_size: float = FONT_SIZE) -> float:
    return units * font_size * CHAR_EM


def _fit(units_px: float, font_size: float = FONT_SIZE) -> int:
    """How many narrow characters fit in a width."""
    return max(1, math.floor(units_px / (font_size * CHAR_EM)))


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _truncate(text: str, max_units: int) -> str:
    """``text`` cut to ``max_units`` (an ellipsis included) when longer."""
    text = _clean(text)
    if _units(text) <= max_units:
        return text
    kept, used = [], 0
    for char in text:
        width = _char_units(char)
        if used + width > max_units - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept).rstrip() + ELLIPSIS


def _wrap(text: str, line_units: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``max_lines`` lines; words longer than a line are split;
    what does not fit ends the last line with an ellipsis."""
    text = _clean(text)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _units(candidate) <= line_units:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # a long word (or unspaced CJK) is split anywhere
            if current and _units(current + char) > line_units:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        # the rest is longer than a line (or it would not have been split), so it
        # ends with an ellipsis once truncated
        rest = _truncate(" ".join(lines[max_lines - 1 :]), line_units)
        lines = [*lines[: max_lines - 1], rest]
    return lines or [""]


def _is_rtl(text: str) -> bool:
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def _bidi(text: str, rtl: bool, visual: bool) -> str:
    """Text as it goes into a ``<text>`` element.

    Logical order (the default) for renderers that shape and reorder text, with
    RIGHT-TO-LEFT MARKs around right-to-left labels; with ``visual``, Arabic shaped
    into presentation forms and reordered for WeasyPrint (see ``_visual``).
    """
    if visual:
        return _visual(text, rtl)
    return f"{RLM}{text}{RLM}" if rtl else text


def _label(text: str, max_units: int, visual: bool) -> str:
    """A one-line label: truncated, then as ``_bidi`` puts it."""
    return _bidi(_truncate(text, max_units), _is_rtl(text), visual)


# --- text for WeasyPrint -----------------------------------------------------------------
#
# WeasyPrint (70 and earlier) draws SVG text one code point at a time, left to right,
# with neither the bidi algorithm nor shaping (Kozea/WeasyPrint#2909), so Arabic comes
# out mirrored and unjoined. For WeasyPrint the charts therefore do both themselves:
# Arabic letters become their contextual presentation forms (FExx/FBxx, from the
# Unicode decompositions, lam-alef ligatures included) and each line is put in visual
# order by a reduced bidi algorithm (no explicit embeddings: W1-W7, N1-N2, I1-I2, L2,
# mirrored brackets). Arabic combining marks (harakat) are dropped there, because
# code-point-by-code-point drawing cannot place them.

_FORMS_NAMES = ("isolated", "final", "initial", "medial")
_LAM = "\u0644"
_LAM_ALEF = frozenset(_LAM + alef for alef in "\u0622\u0623\u0625\u0627")
_MIRROR = dict(zip("()[]{}<>«»\u2039\u203a", ")(][}{><»«\u203a\u2039", strict=True))
_NEUTRAL = frozenset({"B", "S", "WS", "ON"})
_EXPLICIT = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"})
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFEFF))


def _presentation_forms() -> dict[tuple[str, str], str]:
    forms: dict[tuple[str, str], str] = {}
    for code in (*range(0xFE70, 0xFF00), *range(0xFB50, 0xFE00)):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition.startswith("<"):
            continue
        tag, *codes = decomposition.split()
        base = "".join(chr(int(c, 16)) for c in codes)
        if tag[1:-1] in _FORMS_NAMES and (len(base) == 1 or base in _LAM_ALEF):
            forms.setdefault((base, tag[1:-1]), chr(code))
    return forms


_FORMS = _presentation_forms()


def _joining(char: str) -> str:
    """Joining type: D(ual), R(ight), C(ausing), T(ransparent) or U(njoining)."""
    if char in "\u0640\u200d":  # tatweel, zero width joiner
        return "C"
    if char != "\u200c" and unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return "T"
    if (char, "initial") in _FORMS or (char, "medial") in _FORMS:
        return "D"
    if (char, "final") in _FORMS:
        return "R"
    return "U"


def _is_arabic_mark(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "Mn" and any(
        low <= code <= high for low, high in _ARABIC_BLOCKS
    )


def _shape(text: str) -> str:
    """Arabic letters in logical order, replaced by their contextual forms."""
    chars = [c for c in unicodedata.normalize("NFC", text) if not _is_arabic_mark(c)]
    types = [_joining(c) for c in chars]

    def neighbour(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < len(chars) and types[j] == "T":
            j += step
        return j if 0 <= j < len(chars) else None

    out, i = [], 0
    while i < len(chars):
        char = chars[i]
        if types[i] not in ("D", "R"):
            out.append(char)
            i += 1
            continue
        before = neighbour(i, -1)
        joins_before = before is not None and types[before] in ("D", "C")
        after = neighbour(i, 1)
        if char == _LAM and after is not None and char + chars[after] in _LAM_ALEF:
            pair = char + chars[after]
            form = "final" if joins_before else "isolated"
            out.append(_FORMS.get((pair, form), pair))
            out.extend(chars[i + 1 : after])
            i = after + 1
            continue
        joins_after = types[i] == "D" and after is not None and types[after] in ("D", "R", "C")
        form = _FORMS_NAMES[(2 if joins_after else 0) + (1 if joins_before else 0)]
        out.append(_FORMS.get((char, form)) or _FORMS.get((char, "isolated"), char))
        i += 1
    return "".join(out)


def _runs(types: list[str], wanted: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """[start, end) of each maximal run of types in ``wanted``."""
    runs, i = [], 0
    while i < len(types):
        if types[i] in wanted:
            j = i
            while j < len(types) and types[j] in wanted:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _reorder(text: str, rtl: bool) -> str:
    """One line in visual (left-to-right drawing) order, paragraph direction ``rtl``."""
    pairs = [(c, unicodedata.bidirectional(c)) for c in text]
    chars = [c for c, t in pairs if t not in _EXPLICIT]
    types = [t for _, t in pairs if t not in _EXPLICIT]
    n = len(types)
    sos = "R" if rtl else "L"
    previous = sos
    for i, t in enumerate(types):  # W1
        if t == "NSM":
            types[i] = previous
        else:
            previous = t
    last_strong = sos
    for i, t in enumerate(types):  # W2, then W3
        if t in ("L", "R", "AL"):
            last_strong = t
        elif t == "EN" and last_strong == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]
    for i in range(1, n - 1):  # W4
        if types[i] == "ES" and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    for start, end in _runs(types, {"ET"}):  # W5
        if (start > 0 and types[start - 1] == "EN") or (end < n and types[end] == "EN"):
            types[start:end] = ["EN"] * (end - start)
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]  # W6
    last_strong = sos
    for i, t in enumerate(types):  # W7
        if t in ("L", "R"):
            last_strong = t
        elif t == "EN" and last_strong == "L":
            types[i] = "L"
    for start, end in _runs(types, _NEUTRAL):  # N1, N2
        before = sos if start == 0 else ("L" if types[start - 1] == "L" else "R")
        after = sos if end == n else ("L" if types[end] == "L" else "R")
        types[start:end] = [before if before == after else sos] * (end - start)
    if rtl:  # I1, I2
        levels = [2 if t in ("L", "EN", "AN") else 1 for t in types]
    else:
        levels = [1 if t == "R" else 2 if t in ("EN", "AN") else 0 for t in types]
    order = list(zip(chars, levels, strict=True))
    for level in range(max(levels, default=0), 0, -1):  # L2
        for start, end in _runs([str(lv >= level) for _, lv in order], {"True"}):
            order[start:end] = order[start:end][::-1]
    return "".join(_MIRROR.get(c, c) if lv % 2 else c for c, lv in order)


def _visual(text: str, rtl: bool) -> str:
    """Text drawn correctly by a renderer that neither shapes nor reorders."""
    if not any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text):
        return text
    return _reorder(_shape(text), rtl)


# --- legend ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    label: str
    colour: str
    kind: str = "fill"  # fill | dashed | tick


def _swatch(x: float, y: float, key: _Key) -> str:
    if key.kind == "tick":
        return _el("rect", {"x": x + 4.5, "y": y - 1, "width": 3, "height": 14, "fill": key.colour})
    if key.kind == "dashed":
        return _el(
            "rect",
            {
                "x": x + 1,
                "y": y + 1,
                "width": 10,
                "height": 10,
                "fill": "#ffffff",
                "stroke": key.colour,
                "stroke-width": 2,
                "stroke-dasharray": "3 2",
            },
        )
    return _el("rect", {"x": x, "y": y, "width": 12, "height": 12, "fill": key.colour})


def _legend(
    keys: Sequence[_Key],
    *,
    width: float,
    top: float,
    rtl: bool,
    max_units: int,
    id_prefix: str,
    visual: bool,
) -> tuple[str, float]:
    """Swatch-and-label entries flowing in rows under a chart; returns markup and height."""
    if not keys:
        return "", 0.0
    row_height, swatch, gap = 18, 12, 16
    usable = width - 2 * PAD
    max_units = min(max_units, _fit(usable - swatch - 5))
    parts, x, y = [], 0.0, top
    for key in keys:
        label = _label(key.label, max_units, visual)
        entry = swatch + 5 + _px(_units(label))
        if x > 0 and x + entry > usable:
            x, y = 0.0, y + row_height
        # x runs from the start edge: the left, or the right when rtl
        swatch_x = width - PAD - x - swatch if rtl else PAD + x
        text_x = swatch_x - 5 if rtl else swatch_x + swatch + 5
        parts.append(_swatch(swatch_x, y, key))
        parts.append(_text(text_x, y + 10, label, text_anchor="end" if rtl else "start"))
        x += entry + gap
    body = _el("g", {"id": f"{id_prefix}-legend"}, "".join(parts))
    return body, y - top + row_height


def _series_keys(series: Sequence[Series]) -> list[_Key]:
    return [_Key(s.label, s.colour, "dashed" if s.dashed else "fill") for s in series]


def _stroke(s: Series) -> dict[str, object]:
    return {
        "fill": "none",
        "stroke": s.colour,
        "stroke-width": 2,
        "stroke-linejoin": "round",
        "stroke-linecap": "round",
        "stroke-dasharray": "6 4" if s.dashed else None,
    }


def _marker(x: float, y: float, colour: str, tooltip: str) -> str:
    return _el(
        "circle",
        {"cx": x, "cy": y, "r": 3.5, "fill": colour, "stroke": "#ffffff", "stroke-width": 1},
        _title(tooltip),
    )


def _check_series(series: Sequence[Series], expected: int, what: str) -> list[list[float | None]]:
    values = []
    for s in series:
        _check_colour(s.colour)
        if len(s.values) != expected:
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values, expected one per {what} ({expected})"
            )
        values.append([_value(v) for v in s.values])
    return values


# --- radar -------------------------------------------------------------------------------


def radar_chart(
    *,
    axes: list[str],
    series: list[Series],
    title: str,
    description: str,
    id_prefix: str,
    size: int = 380,
    rtl: bool = False,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
) -> str:
    """A spider chart: one spoke per axis (0 at the centre, 100 on the outer ring).

    The first axis is at the top; the others follow clockwise, or counter-clockwise
    when ``rtl`` so that they read right to left. Grid rings are drawn at 25, 50, 75
    and 100 and labelled between the last axis and the first. Each series is a polygon with a round
    marker on every vertex; a ``None`` value is drawn at 0 (the centre) so that the
    polygon stays closed, but has no marker, which is how a reader tells "no score"
    from a score of 0. Axis labels wrap onto two lines and are truncated with "…"
    past ``max_label_chars``. ``size`` is the width; the height follows from the
    labels and the legend.
    """
    _check_common(id_prefix, max_label_chars)
    if not axes:
        raise ValueError("a radar chart needs at least one axis")
    n = len(axes)
    values = _check_series(series, n, "axis")

    line_height = FONT_SIZE + 2
    gap = 8
    min_radius = size * 0.24
    # Two lines of at most half the allowed characters each, and no wider than what
    # leaves the smallest acceptable radius.
    line_units = min(math.ceil(max_label_chars / 2), _fit(size / 2 - min_radius - gap - PAD))
    labels = [_wrap(_truncate(axis, max_label_chars), line_units, 2) for axis in axes]
    widest = max(_px(_units(line)) for lines in labels for line in lines)
    lines_max = max(len(lines) for lines in labels)
    radius = size / 2 - PAD - gap - widest
    radius = max(min_radius, min(radius, size * 0.4))
    vertical_room = gap + lines_max * line_height + 4
    cx = size / 2
    cy = PAD + vertical_room + radius

    def angle(i: int) -> float:
        step = 2 * math.pi * i / n
        return -math.pi / 2 + (-step if rtl else step)

    def point(i: int, value: float, extra: float = 0.0) -> tuple[float, float]:
        r = radius * _clamp(value) / 100 + extra
        return cx + r * math.cos(angle(i)), cy + r * math.sin(angle(i))

    def points(vals: Sequence[float | None]) -> str:
        return " ".join(
            f"{_num(x)},{_num(y)}"
            for x, y in (point(i, 0.0 if v is None else v) for i, v in enumerate(vals))
        )

    grid = []
    for level in GRID_LEVELS[1:]:
        grid.append(
            _el(
                "polygon",
                {
                    "points": points([level] * n),
                    "fill": "none",
                    "stroke": AXIS if level == 100 else GRID,
                    "stroke-width": 1,
                },
            )
        )
    for i in range(n):
        x, y = point(i, 100)
        grid.append(
            _el("line", {"x1": cx, "y1": cy, "x2": x, "y2": y, "stroke": GRID, "stroke-width": 1})
        )
    # The scale sits just inside each ring, between the last axis and the first, where
    # no marker can hide it.
    bisector = angle(0) + (math.pi / n if rtl else -math.pi / n)
    inset = math.cos(math.pi / n) if n > 2 else 1.0
    for level in GRID_LEVELS[1:]:
        distance = radius * level / 100 * inset - 7
        grid.append(
            _text(
                cx + distance * math.cos(bisector),
                cy + distance * math.sin(bisector) + 3,
                str(level),
                font_size=8,
                fill=MUTED,
                text_anchor="middle",
            )
        )

    axis_labels = []
    for i, (axis, lines) in enumerate(zip(axes, labels, strict=True)):
        x, y = point(i, 100, gap)
        cos, sin = math.cos(angle(i)), math.sin(angle(i))
        anchor = "start" if cos > 0.15 else "end" if cos < -0.15 else "middle"
        if sin < -0.15:  # above the centre: the last line sits on the point
            first = y - 3 - (len(lines) - 1) * line_height
        elif sin > 0.15:  # below: the first line hangs from it
            first = y + FONT_SIZE * 0.8 + 1
        else:
            first = y + FONT_SIZE * 0.35 - (len(lines) - 1) * line_height / 2
        rtl_text = _is_rtl(axis)
        texts = "".join(
            _text(
                x,
                first + k * line_height,
                _bidi(line, rtl_text, for_weasyprint),
                text_anchor=anchor,
            )
            for k, line in enumerate(lines)
        )
        if "".join(lines).replace(" ", "") != _clean(axis).replace(" ", ""):
            texts = _title(_clean(axis)) + texts
        axis_labels.append(_el("g", {}, texts))

    drawn = []
    for index, (s, vals) in enumerate(zip(series, values, strict=True)):
        shape = _stroke(s)
        shape.update({"fill": s.colour, "fill-opacity": 0.12 if index == 0 else 0.06})
        parts = [_el("polygon", {"points": points(vals), **shape})]
        for i, v in enumerate(vals):
            if v is not None:
                x, y = point(i, v)
                parts.append(_marker(x, y, s.colour, f"{s.label} · {_clean(axes[i])}: {_show(v)}"))
        drawn.append(_el("g", {"id": f"{id_prefix}-series-{index}"}, "".join(parts)))

    plot_bottom = cy + radius + vertical_room
    legend, legend_height = _legend(
        _series_keys(series),
        width=size,
        top=plot_bottom + 4,
        rtl=rtl,
        max_units=max_label_chars,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    height = plot_bottom + (legend_height + 4 if legend else 0) + PAD
    body = (
        _el("g", {"id": f"{id_prefix}-grid"}, "".join(grid))
        + _el("g", {"id": f"{id_prefix}-labels"}, "".join(axis_labels))
        + "".join(drawn)
        + legend
    )
    return _svg(
        width=size,
        height=math.ceil(height),
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body,
    )


# --- horizontal bars ---------------------------------------------------------------------


def bar_chart(
    *,
    categories: list[str],
    values: list[float | None],
    ranges: list[tuple[float, float] | None] | None = None,
    medians: list[float | None] | None = None,
    title: str,
    description: str,
    id_prefix: str,
    width: int = 560,
    value_label: str = "",
    range_label: str = "",
    median_label: str = "",
    rtl: bool = False,
    colour: str = INSTITUTION,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
) -> str:
    """Horizontal bars, one row per category, on a 0..100 scale.

    Each row shows the category label, then a bar from 0 to the value with the value
    written at its end; a ``None`` value shows an em dash "—" and no bar. Behind the
    bar an optional grey band spans the peers' interquartile range (``ranges[i] =
    (p25, p75)``) and a thin orange tick marks the peers' median (``medians[i]``).
    Vertical grid lines at 0, 25, 50, 75 and 100 are labelled under the rows; the
    height grows with the number of categories. The legend has an entry for each of
    ``value_label``, ``range_label`` and ``median_label`` that is given (and whose
    data is). ``rtl`` mirrors the chart: labels on the right, bars growing leftwards.
    """
    _check_common(id_prefix, max_label_chars)
    _check_colour(colour)
    n = len(categories)
    _check_lengths("values", values, n)
    _check_lengths("ranges", ranges, n)
    _check_lengths("medians", medians, n)
    nums = [_value(v) for v in values]
    bands = [
        None if r is None else tuple(sorted((_value(r[0]), _value(r[1]))))
        for r in (ranges or [None] * n)
    ]
    mids = [_value(m) for m in (medians or [None] * n)]

    row_height, bar_height, band_height, tick_height = 26, 12, 20, 22
    value_room = _px(5, SMALL_FONT_SIZE) + 9  # "100.0" after a full bar (or a median at 100)
    label_units = min(
        max_label_chars,
        max((_units(_clean(c)) for c in categories), default=0),
        _fit(width * 0.4),
    )
    label_width = _px(label_units)
    x0 = PAD + label_width + 10
    x1 = width - PAD - value_room
    if x1 - x0 < 60:
        raise ValueError(f"width {width} is too small for the labels")
    top = PAD

    def fx(x: float) -> float:  # mirror for rtl
        return width - x if rtl else x

    def start_anchor(flip: bool = False) -> str:
        return "end" if rtl != flip else "start"

    def scale(v: float) -> float:
        return x0 + (x1 - x0) * _clamp(v) / 100

    def rect(left: float, right: float, y: float, h: float, **attrs: object) -> str:
        a, b = sorted((round(fx(left), 1), round(fx(right), 1)))  # shared edges stay shared
        return _el(
            "rect",
            {"x": a, "y": y, "width": b - a, "height": h}
            | {k.replace("_", "-"): v for k, v in attrs.items()},
        )

    rows_bottom = top + n * row_height
    grid = []
    for level in GRID_LEVELS:
        x = fx(scale(level))
        grid.append(
            _el(
                "line",
                {
                    "x1": x,
                    "y1": top,
                    "x2": x,
                    "y2": rows_bottom,
                    "stroke": AXIS if level == 0 else GRID,
                    "stroke-width": 1,
                },
            )
        )
        grid.append(
            _text(
                x,
                rows_bottom + 13,
                str(level),
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
                text_anchor="middle",
            )
        )

    labels, band_parts, bar_parts, tick_parts, value_parts = [], [], [], [], []
    for i, category in enumerate(categories):
        mid = top + i * row_height + row_height / 2
        baseline = mid + FONT_SIZE * 0.35
        label = _label(category, label_units, for_weasyprint)
        text = _text(fx(PAD), baseline, label, text_anchor=start_anchor())
        if _truncate(category, label_units) != _clean(category):
            text = _el("g", {}, _title(_clean(category)) + text)
        labels.append(text)
        band = bands[i]
        if band is not None:
            band_parts.append(
                rect(
                    scale(band[0]),
                    scale(band[1]),
                    mid - band_height / 2,
                    band_height,
                    fill=IQR_BAND,
                )
            )
        value = nums[i]
        if value is None:
            value_parts.append(
                _text(
                    fx(x0 + 4),
                    mid + SMALL_FONT_SIZE * 0.35,
                    NO_SCORE,
                    font_size=SMALL_FONT_SIZE,
                    fill=MUTED,
                    text_anchor=start_anchor(),
                )
            )
        else:
            end = scale(value)
            bar_parts.append(rect(x0, end, mid - bar_height / 2, bar_height, fill=colour))
            shown = _show(values[i])
            text_start = end + 4
            if mids[i] is not None:  # step over a median tick that the text would cross
                tick = scale(mids[i])
                if end - 2 <= tick <= text_start + _px(len(shown), SMALL_FONT_SIZE) + 2:
                    text_start = max(text_start, tick + 5)
            value_parts.append(
                _text(
                    fx(text_start),
                    mid + SMALL_FONT_SIZE * 0.35,
                    shown,
                    font_size=SMALL_FONT_SIZE,
                    text_anchor=start_anchor(),
                )
            )
        if mids[i] is not None:
            x = fx(scale(mids[i]))
            tick_parts.append(
                _el(
                    "line",
                    {
                        "x1": x,
                        "y1": mid - tick_height / 2,
                        "x2": x,
                        "y2": mid + tick_height / 2,
                        "stroke": PEERS,
                        "stroke-width": 2.5,
                    },
                )
            )

    keys = []
    if value_label:
        keys.append(_Key(value_label, colour))
    if range_label and ranges is not None:
        keys.append(_Key(range_label, IQR_BAND))
    if median_label and medians is not None:
        keys.append(_Key(median_label, PEERS, "tick"))
    axis_bottom = rows_bottom + 17
    legend, legend_height = _legend(
        keys,
        width=width,
        top=axis_bottom + 8,
        rtl=rtl,
        max_units=max_label_chars,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    height = axis_bottom + (legend_height + 8 if legend else 0) + PAD
    body = "".join(
        _el("g", {"id": f"{id_prefix}-{name}"}, "".join(parts))
        for name, parts in (
            ("grid", grid),
            ("labels", labels),
            ("ranges", band_parts),
            ("bars", bar_parts),
            ("medians", tick_parts),
            ("values", value_parts),
        )
    )
    return _svg(
        width=width,
        height=math.ceil(height),
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body + legend,
    )


# --- trend lines -------------------------------------------------------------------------


def trend_chart(
    *,
    cycles: list[str],
    series: list[Series],
    title: str,
    description: str,
    id_prefix: str,
    width: int = 560,
    height: int = 260,
    rtl: bool = False,
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS,
    for_weasyprint: bool = False,
) -> str:
    """A line chart across assessment cycles, in order, on a 0..100 scale.

    Each cycle gets an equal slot with its point in the middle, and the cycle label
    under it (labels are truncated to their slot, and when slots are very narrow
    only every k-th label is shown). One polyline per series with a round marker on
    every point; a ``None`` value has no marker and breaks the line, so a series
    can be drawn as several polylines, and a point with no neighbour is a lone
    marker. ``rtl`` puts the first cycle on the right and the scale on the right.
    The legend is inside ``height``.
    """
    _check_common(id_prefix, max_label_chars)
    n = len(cycles)
    if n == 0:
        raise ValueError("a trend chart needs at least one cycle")
    values = _check_series(series, n, "cycle")

    legend_top_offset = 8
    keys = _series_keys(series)
    legend, legend_height = _legend(
        keys,
        width=width,
        top=0,
        rtl=rtl,
        max_units=max_label_chars,
        id_prefix=id_prefix,
        visual=for_weasyprint,
    )
    scale_room = _px(3, SMALL_FONT_SIZE) + 8
    left, right = PAD + scale_room, width - PAD
    top = PAD + 4
    bottom = height - PAD - (legend_height + legend_top_offset if legend else 0) - 20
    if bottom - top < 40 or right - left < 40:
        raise ValueError(f"{width}x{height} is too small for this chart")
    slot = (right - left) / n

    def fx(x: float) -> float:
        return width - x if rtl else x

    def xy(i: int, v: float) -> tuple[float, float]:
        return fx(left + (i + 0.5) * slot), bottom - (bottom - top) * _clamp(v) / 100

    grid = []
    for level in GRID_LEVELS:
        y = bottom - (bottom - top) * level / 100
        grid.append(
            _el(
                "line",
                {
                    "x1": fx(left),
                    "y1": y,
                    "x2": fx(right),
                    "y2": y,
                    "stroke": AXIS if level == 0 else GRID,
                    "stroke-width": 1,
                },
            )
        )
        grid.append(
            _text(
                fx(left - 5),
                y + SMALL_FONT_SIZE * 0.35,
                str(level),
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
                text_anchor="start" if rtl else "end",
            )
        )

    # Cycle labels: keep at least a few characters readable, thinning out if need be.
    wanted = min(max_label_chars, max(_units(_clean(c)) for c in cycles))
    readable = min(wanted, 8)
    step = max(1, math.ceil((_px(readable, SMALL_FONT_SIZE) + 6) / slot))
    label_units = min(wanted, _fit(slot * step - 6, SMALL_FONT_SIZE))
    labels = []
    for i, cycle in enumerate(cycles):
        if i % step:
            continue
        x, _ = xy(i, 0)
        text = _text(
            x,
            bottom + 14,
            _label(cycle, label_units, for_weasyprint),
            font_size=SMALL_FONT_SIZE,
            text_anchor="middle",
        )
        if _truncate(cycle, label_units) != _clean(cycle):
            text = _el("g", {}, _title(_clean(cycle)) + text)
        labels.append(text)

    drawn = []
    for index, (s, vals) in enumerate(zip(series, values, strict=True)):
        runs: list[list[tuple[float, float]]] = [[]]
        markers = []
        for i, v in enumerate(vals):
            if v is None:
                if runs[-1]:
                    runs.append([])
                continue
            x, y = xy(i, v)
            runs[-1].append((x, y))
            markers.append(_marker(x, y, s.colour, f"{s.label} · {_clean(cycles[i])}: {_show(v)}"))
        lines = [
            _el(
                "polyline",
                {"points": " ".join(f"{_num(x)},{_num(y)}" for x, y in run), **_stroke(s)},
            )
            for run in runs
            if len(run) >= 2
        ]
        drawn.append(_el("g", {"id": f"{id_prefix}-series-{index}"}, "".join(lines + markers)))

    if legend:  # the same legend, now that its place is known
        legend, _ = _legend(
            keys,
            width=width,
            top=bottom + 20 + legend_top_offset,
            rtl=rtl,
            max_units=max_label_chars,
            id_prefix=id_prefix,
            visual=for_weasyprint,
        )
    body = (
        _el("g", {"id": f"{id_prefix}-grid"}, "".join(grid))
        + _el("g", {"id": f"{id_prefix}-labels"}, "".join(labels))
        + "".join(drawn)
        + legend
    )
    return _svg(
        width=width,
        height=height,
        title=title,
        description=description,
        id_prefix=id_prefix,
        body=body,
    )
