"""Creating and updating institutions from CSV, atomically, with per-row messages."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from qa_tool.core.refusals import Refusal

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
    if digits.isdigit():
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


def parse_institutions_csv(text: str) -> tuple[list[dict[str, str]], list[str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [_("header: missing column(s) %(columns)s") % {"columns": ", ".join(missing)}]
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for line, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        row_problems = []
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
            label = _("line %(line)s (%(code)s)") % {"line": line, "code": code}
        else:
            label = _("line %(line)s") % {"line": line}
        problems.extend(f"{label}: {p}" for p in row_problems)
        rows.append(values)
    if not rows and not problems:
        problems.append(_("the file has no institution rows"))
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
