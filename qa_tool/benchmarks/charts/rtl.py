"""Right-to-left text in chart labels."""

from __future__ import annotations

import unicodedata

from .text import truncate

RLM = "\u200f"


def is_rtl(text: str) -> bool:
    """Whether the first strong character is right-to-left (the paragraph direction)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def for_text(text: str, rtl: bool, visual: bool) -> str:
    """Text as it goes into a ``<text>`` element.

    Logical order (the default) for renderers that shape and reorder text, with
    RIGHT-TO-LEFT MARKs around right-to-left labels so that an ellipsis or punctuation
    at either end lands where an Arabic reader expects; with ``visual``, shaped and
    reordered for WeasyPrint (see ``visual_order``).
    """
    if visual:
        return _visual(text, rtl)
    return f"{RLM}{text}{RLM}" if rtl else text


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


def label(text: str, max_units: int, visual: bool) -> str:
    """A one-line label: truncated, then as ``for_text`` puts it."""
    return for_text(truncate(text, max_units), is_rtl(text), visual)
