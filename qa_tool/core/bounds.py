"""Hostile input is bounded input: every number and text is checked for size before any
arithmetic or parsing, on every path (pages, workbooks, portable files, rubric files, CSV).

``Decimal("1e999999999")`` is cheap, but arithmetic with it ties a worker up; ``NaN`` and
``Infinity`` break comparisons; Python refuses int strings over 4,300 digits with an
error; ``json.loads`` recurses once per nesting level. So numbers are read with a small
grammar (plain decimals, a bounded exponent), texts are measured and refused with a NUL
(PostgreSQL cannot store it), and JSON's depth is counted before it is parsed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .refusals import Problem

# Limits on texts people type, in characters: one home for the wizard, workbook, portable
# file and action plan (Excel's own cell limit is 32,767, so every limit stays below it).
JUSTIFICATION_MAX = 10_000
LINKS_MAX = 5_000
COMMENT_MAX = 10_000
SHORT_TEXT_MAX = 200
EXCEL_CELL_MAX = 32_767

# Numbers: at most this many characters as written, and an exponent within this range.
NUMBER_CHARS_MAX = 40
EXPONENT_MAX = 30

JSON_DEPTH_MAX = 40

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)


class BoundError(ValueError):
    """An input beyond its bounds, with a message for the person who sent it."""


def number(raw: Any) -> Decimal:
    """A finite decimal from an int, float, Decimal or text, within the bounds, or BoundError."""
    if isinstance(raw, bool):
        raise BoundError(_("not a number"))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise BoundError(_("not a finite number"))
        raw = repr(raw)
    if isinstance(raw, int):
        if abs(raw) >= 10**NUMBER_CHARS_MAX:
            raise BoundError(_("the number is too large"))
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise BoundError(_("not a finite number"))
        raw = str(raw)
    if not isinstance(raw, str):
        raise BoundError(_("not a number"))
    text = raw.strip()
    if len(text) > NUMBER_CHARS_MAX or not _NUMBER.fullmatch(text):
        raise BoundError(_("not a number (write it like 2 or 2.5)"))
    value = Decimal(text)
    if abs(value.adjusted()) > EXPONENT_MAX:
        raise BoundError(_("the number is out of range"))
    return value


def text_problem(value: str, limit: int) -> str | None:
    """Why a typed text cannot be stored (too long, or a NUL character), or None."""
    if "\x00" in value:
        return _("contains a NUL character, which cannot be stored")
    if len(value) > limit:
        return _("is longer than %(limit)s characters (%(length)s)") % {
            "limit": limit,
            "length": len(value),
        }
    return None


def text_refusal(value: str, limit: int, *, where: str = "", field: str = "") -> Problem | None:
    """``text_problem`` as a located refusal ("Justification is longer than …" at ``where``)."""
    why = text_problem(value, limit)
    if why is None:
        return None
    what = _("%(field)s %(problem)s") % {"field": field, "problem": why} if field else why
    return Problem(what, where)


def json_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text, counted without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_int(text: str) -> int:
    if len(text.lstrip("+-")) > NUMBER_CHARS_MAX:
        raise BoundError(_("a number in the file is too large"))
    return int(text)


def _bounded_float(text: str) -> float:
    return float(number(text))


def _no_constant(name: str) -> Any:
    raise BoundError(_("%(name)s is not a number that can be used") % {"name": name})


def json_loads(
    text: str,
    *,
    max_depth: int = JSON_DEPTH_MAX,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """``json.loads`` with bounded depth and numbers; NaN and Infinity refused (BoundError).

    ``object_pairs_hook`` as for ``json.loads`` (e.g. to refuse duplicate keys by raising
    BoundError)."""
    if json_depth(text) > max_depth:
        raise BoundError(_("the JSON is nested more than %(max)s levels deep") % {"max": max_depth})
    return json.loads(
        text,
        parse_int=_bounded_int,
        parse_float=_bounded_float,
        parse_constant=_no_constant,
        object_pairs_hook=object_pairs_hook,
    )
