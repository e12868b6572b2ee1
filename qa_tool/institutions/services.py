"""Creating and updating institutions from CSV, atomically, with per-row messages.

Every problem is located by line; the CSV reader's own errors (a field over its size
limit, a line break inside an unquoted field) are problems too, and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem, Refusal

from .csv_reading import CELL_MAX, CSV_MAX_CHARS, read_csv_rows
from .models import DeliveryMode, Institution, InstitutionType, Region, SizeBand

REQUIRED_COLUMNS = ("code", "name", "country", "region", "type", "size")
OPTIONAL_COLUMNS = ("delivery_mode",)


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


def _code_problem(code: str, line: int, seen: dict[str, int]) -> str | None:
    if not code:
        return _("code: required")
    if len(code) > 20:
        return _("code: at most 20 characters")
    if code in seen:
        return _("code: %(code)s appears again (first on line %(line)s)") % {
            "code": code,
            "line": seen[code],
        }
    return None


def _institution_values(
    cells: dict[str, str], line: int, seen: dict[str, int]
) -> tuple[dict[str, str], list[str]]:
    """One row's institution fields and its problems, in column order."""
    row_problems: list[str] = []
    code = cells["code"]
    code_problem = _code_problem(code, line, seen)
    if code_problem:
        row_problems.append(code_problem)
    seen.setdefault(code, line)
    if not cells["name"]:
        row_problems.append(_("name: required"))
    elif len(cells["name"]) > 200:
        row_problems.append(_("name: at most 200 characters"))
    # A choice that cannot be read is None; such a row has a problem and is never saved.
    values: dict[str, Any] = {"code": code, "name": cells["name"]}
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
    return values, row_problems


def _row_label(line: int, code: str) -> str:
    if code:
        return _("line %(line)s (%(code)s)") % {"line": line, "code": code[:20]}
    return _("line %(line)s") % {"line": line}


def parse_institutions_csv(text: str) -> tuple[list[dict[str, str]], list[Problem]]:
    rows: list[dict[str, str]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, cells in read_csv_rows(text, REQUIRED_COLUMNS, problems, header_location=_("header")):
        unusable = _cell_problems(cells)
        if unusable:
            # The other checks would quote the same unusable text back.
            problems.extend(Problem(p, _("line %(line)s") % {"line": line}) for p in unusable)
            continue
        values, row_problems = _institution_values(cells, line, seen)
        label = _row_label(line, cells["code"])
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
