"""Creating and updating institutions from CSV, atomically, with per-row messages.

Every problem is located by line; the CSV reader's own errors (a field over its size
limit, a line break inside an unquoted field) are problems too, and nothing is saved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem, Refusal

from .models import DeliveryMode, Institution, InstitutionType, Region, SizeBand

REQUIRED_COLUMNS = ("code", "name", "country", "region", "type", "size")
OPTIONAL_COLUMNS = ("delivery_mode",)
# A national register of a few thousand institutions is well under a megabyte.
CSV_MAX_CHARS = 5_000_000
# Longest text any column may hold (name is the longest field); codes are held to 20.
CELL_MAX = bounds.SHORT_TEXT_MAX


class InstitutionImportError(Refusal):
    """A refused institutions file: every bad row, by line and column; nothing was saved."""


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def _choice(value: str, choices: type, column: str) -> tuple[str | None, str | None]:
    wanted = value.strip().lower()
    for choice in choices:
        if wanted in (choice.value, str(choice.label).lower()):
            return choice.value, None
    allowed = ", ".join(c.value for c in choices)
    return None, _("%(column)s: %(value)s is not one of %(allowed)s") % {
        "column": column,
        "value": repr(value),
        "allowed": allowed,
    }


def _size(value: str) -> tuple[str | None, str | None]:
    digits = value.strip().replace(",", "").replace(" ", "")
    # str.isdigit() is true of "²" and other digits int() refuses: ASCII digits only.
    if digits.isascii() and digits.isdigit() and len(digits) <= bounds.NUMBER_CHARS_MAX:
        return SizeBand.for_headcount(int(digits)).value, None
    band, problem = _choice(value, SizeBand, "size")
    if problem:
        problem = _("%(problem)s or a number of students") % {"problem": problem}
    return band, problem


def _country(value: str) -> tuple[str | None, str | None]:
    raw = value.strip()
    code = countries.alpha2(raw) or countries.by_name(raw)
    if not code:
        return None, _("country: %(value)s is not an ISO 3166 country code or name") % {
            "value": repr(value)
        }
    return code, None


def _csv_problem(reader: csv.DictReader, error: csv.Error) -> Problem:
    return Problem(
        _("the CSV cannot be read here (%(reason)s)") % {"reason": error},
        # line_num counts the lines read whole; the error is on the one after.
        _("line %(line)s") % {"line": reader.line_num + 1},
    )


def _records(reader: csv.DictReader, problems: list[Problem]) -> Iterator[dict]:
    """The reader's rows; a CSV error ends them as a problem at its line (what follows
    an unreadable line cannot be trusted to be split into the right rows)."""
    try:
        yield from reader
    except csv.Error as error:
        problems.append(_csv_problem(reader, error))


def _cell_problems(cells: dict[str, str]) -> list[str]:
    """NUL characters (PostgreSQL cannot store them) and over-long texts; code and name
    lengths have their own checks below."""
    found = []
    for column, value in cells.items():
        limit = CSV_MAX_CHARS if column in ("code", "name") else CELL_MAX
        problem = bounds.text_problem(value, limit)
        if problem:
            found.append(f"{column}: {problem}")
    return found


def parse_institutions_csv(text: str) -> tuple[list[dict[str, str]], list[Problem]]:
    if len(text) > CSV_MAX_CHARS:
        message = _("the file is longer than %(max)s characters") % {"max": CSV_MAX_CHARS}
        return [], [Problem(message)]
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        return [], [_csv_problem(reader, error)]
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        message = _("missing column(s) %(columns)s") % {"columns": ", ".join(missing)}
        return [], [Problem(message, _("header"))]
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in _records(reader, problems):
        line = reader.line_num
        # Extra values beyond the header come as a list under None: not a column, ignored.
        cells = {k: (v or "").strip() for k, v in row.items() if k and not isinstance(v, list)}
        row_problems = _cell_problems(cells)
        if row_problems:
            # The other checks would quote the same unusable text back.
            problems.extend(Problem(p, _("line %(line)s") % {"line": line}) for p in row_problems)
            continue
        code = cells["code"]
        if not code:
            row_problems.append(_("code: required"))
        elif len(code) > 20:
            row_problems.append(_("code: at most 20 characters"))
        elif code in seen:
            row_problems.append(
                _("code: %(code)s appears again (first on line %(line)s)")
                % {"code": code, "line": seen[code]}
            )
        seen.setdefault(code, line)
        if not cells["name"]:
            row_problems.append(_("name: required"))
        elif len(cells["name"]) > 200:
            row_problems.append(_("name: at most 200 characters"))
        values = {"code": code, "name": cells["name"]}
        for column, (value, problem) in {
            "country": _country(cells["country"]),
            "region": _choice(cells["region"], Region, "region"),
            "type": _choice(cells["type"], InstitutionType, "type"),
            "size_band": _size(cells["size"]),
        }.items():
            values[column] = value
            if problem:
                row_problems.append(problem)
        mode = cells.get("delivery_mode", "")
        if mode:
            values["delivery_mode"], problem = _choice(mode, DeliveryMode, "delivery_mode")
            if problem:
                row_problems.append(problem)
        if code:
            label = _("line %(line)s (%(code)s)") % {"line": line, "code": code[:20]}
        else:
            label = _("line %(line)s") % {"line": line}
        problems.extend(Problem(p, label) for p in row_problems)
        rows.append(values)
    if not rows and not problems:
        problems.append(Problem(_("the file has no institution rows")))
    return rows, problems


def institutions_import(*, text: str) -> ImportSummary:
    """Create or update institutions by code; all rows or none."""
    rows, problems = parse_institutions_csv(text)
    if problems:
        raise InstitutionImportError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            i.code: i
            for i in Institution.objects.select_for_update().filter(
                code__in=[r["code"] for r in rows]
            )
        }
        for values in rows:
            institution = existing.get(values["code"])
            if institution is None:
                Institution.objects.create(**values)
                created += 1
                continue
            changed = [k for k, v in values.items() if getattr(institution, k) != v]
            if not changed:
                unchanged += 1
                continue
            for key in changed:
                setattr(institution, key, values[key])
            institution.save(update_fields=[*changed, "updated_at"])
            updated += 1
    return ImportSummary(created, updated, unchanged)
