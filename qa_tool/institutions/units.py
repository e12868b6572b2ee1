"""Programmes and courses: the CSV import (all rows or none, every bad row located by line
and column, as ``institutions_import``), the officers' own edits, and contributor
assignments. Each change runs in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem, Refusal

# Read as the institutions importer reads: one size cap, CSV errors as located problems.
from .csv_reading import CELL_MAX, read_csv_rows
from .models import UNIT_LEVELS, ContributorAssignment, Institution, Role, Unit, UnitProgramme

COLUMNS = ("institution", "level", "code", "title", "parent")
REQUIRED_COLUMNS = ("institution", "level", "code", "title")
CODE_MAX, TITLE_MAX = 30, 200


class UnitImportError(Refusal):
    """A refused units file: every bad row, by line and column; nothing was saved."""


class UnitError(Refusal):
    """A refused change to a unit or an assignment."""


@dataclass(frozen=True)
class UnitRow:
    line: int
    institution: str
    level: str
    code: str
    title: str
    parent: str


@dataclass(frozen=True)
class UnitImportSummary:
    created: int
    updated: int
    unchanged: int
    links_added: int
    links_removed: int


def _code_problem(code: str) -> str | None:
    if not code:
        return _("required")
    if len(code) > CODE_MAX:
        return _("at most %(count)s characters") % {"count": CODE_MAX}
    try:
        Unit._meta.get_field("code").run_validators(code)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _at(line: int) -> Callable[[str], str]:
    def at(column: str) -> str:
        return _("line %(line)s, column %(column)s") % {"line": line, "column": column}

    return at


def _repeated(row: UnitRow, first: UnitRow, parents: set[str]) -> bool:
    # A course in several programmes takes one line per programme, with the same title.
    return (
        row.level != "course"
        or not row.parent
        or (first.level, first.title) != (row.level, row.title)
        or row.parent in parents
    )


def _unit_row_problems(
    row: UnitRow,
    seen: dict[tuple[str, str], UnitRow],
    parents: dict[tuple[str, str], set[str]],
) -> list[Problem]:
    """One row's own problems in column order; records its code in ``seen`` and ``parents``."""
    at = _at(row.line)
    problems: list[Problem] = []
    if not row.institution:
        problems.append(Problem(_("required"), at("institution")))
    if row.level not in {level.value for level in UNIT_LEVELS}:
        problems.append(
            Problem(_("%(value)r is not programme or course") % {"value": row.level}, at("level"))
        )
    code_problem = _code_problem(row.code)
    if code_problem:
        problems.append(Problem(code_problem, at("code")))
    key = (row.institution, row.code)
    first = seen.get(key)
    if row.code and first is not None and _repeated(row, first, parents[key]):
        problems.append(
            Problem(
                _("%(code)s appears again (first on line %(line)s)")
                % {"code": row.code, "line": first.line},
                at("code"),
            )
        )
    seen.setdefault(key, row)
    parents.setdefault(key, set()).add(row.parent)
    if not row.title:
        problems.append(Problem(_("required"), at("title")))
    elif len(row.title) > TITLE_MAX:
        problems.append(
            Problem(_("at most %(count)s characters") % {"count": TITLE_MAX}, at("title"))
        )
    if row.parent and row.level == "programme":
        problems.append(Problem(_("only a course has a parent programme"), at("parent")))
    return problems


def parse_units_csv(text: str) -> tuple[list[UnitRow], list[Problem]]:
    """The rows of a units file and every problem of its own (references to institutions and
    programmes are checked against the database by ``units_import``)."""
    rows: list[UnitRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], UnitRow] = {}
    parents: dict[tuple[str, str], set[str]] = {}
    # The location stays untranslated, as it always was for units files.
    for line, cells in read_csv_rows(text, REQUIRED_COLUMNS, problems, header_location="header"):
        unusable = [
            (column, why)
            for column, value in cells.items()
            if (why := bounds.text_problem(value, CELL_MAX))
        ]
        if unusable:
            # The other checks would quote the same unusable text back.
            problems.extend(Problem(why, _at(line)(c)) for c, why in unusable)
            continue
        row = UnitRow(
            line=line,
            institution=cells.get("institution", ""),
            level=cells.get("level", "").lower(),
            code=cells.get("code", ""),
            title=cells.get("title", ""),
            parent=cells.get("parent", ""),
        )
        problems.extend(_unit_row_problems(row, seen, parents))
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(_("the file has no unit rows")))
    return rows, problems


def _reference_problems(
    rows: list[UnitRow], institutions: dict[str, Institution], existing: dict[tuple[int, str], Unit]
) -> list[Problem]:
    problems: list[Problem] = []
    in_file = {(r.institution, r.code): r.level for r in rows}
    for row in rows:

        def at(column: str, line: int = row.line) -> str:
            return _("line %(line)s, column %(column)s") % {"line": line, "column": column}

        institution = institutions.get(row.institution)
        if row.institution and institution is None:
            problems.append(
                Problem(
                    _("no institution with the code %(code)s") % {"code": row.institution},
                    at("institution"),
                )
            )
            continue
        if institution is None:
            continue
        unit = existing.get((institution.pk, row.code))
        if unit is not None and unit.level != row.level:
            problems.append(
                Problem(
                    _("%(code)s is already a %(level)s; its level cannot change")
                    % {"code": row.code, "level": unit.get_level_display().lower()},
                    at("level"),
                )
            )
        if row.parent:
            existing_parent = existing.get((institution.pk, row.parent))
            level = in_file.get((row.institution, row.parent)) or (
                existing_parent.level if existing_parent else None
            )
            if level is None:
                problems.append(
                    Problem(
                        _("no programme with the code %(code)s in %(institution)s")
                        % {"code": row.parent, "institution": row.institution},
                        at("parent"),
                    )
                )
            elif level != "programme":
                problems.append(
                    Problem(_("%(code)s is not a programme") % {"code": row.parent}, at("parent"))
                )
    return problems


def units_import(*, text: str) -> UnitImportSummary:
    """Create or update programmes and courses by institution and code; all rows or none.

    Titles follow the file; a course named with a ``parent`` is linked to that programme
    (a course listed on several lines with different parents belongs to each). Nothing is
    ever deleted, so a unit with assessments survives any import.
    """
    rows, problems = parse_units_csv(text)
    if problems:
        raise UnitImportError(problems)
    created = updated = unchanged = 0
    done: set[tuple[str, str]] = set()
    with transaction.atomic():
        institutions = Institution.objects.in_bulk({r.institution for r in rows}, field_name="code")
        existing = {
            (u.institution_id, u.code): u
            for u in Unit.objects.select_for_update().filter(institution__in=institutions.values())
        }
        problems = _reference_problems(rows, institutions, existing)
        if problems:
            raise UnitImportError(problems)
        # Programmes first, so that courses can name them.
        for row in sorted(rows, key=lambda r: r.level != "programme"):
            institution = institutions[row.institution]
            unit = existing.get((institution.pk, row.code))
            if (row.institution, row.code) in done:
                continue
            done.add((row.institution, row.code))
            if unit is None:
                existing[(institution.pk, row.code)] = Unit.objects.create(
                    institution=institution, level=row.level, code=row.code, title=row.title
                )
                created += 1
            elif unit.title != row.title:
                unit.title = row.title
                unit.save(update_fields=["title", "updated_at"])
                updated += 1
            else:
                unchanged += 1
        wanted = {
            (
                existing[(institutions[r.institution].pk, r.code)].pk,
                existing[(institutions[r.institution].pk, r.parent)].pk,
            )
            for r in rows
            if r.parent
        }
        links = set(
            UnitProgramme.objects.filter(
                course__in=[
                    existing[(institutions[r.institution].pk, r.code)].pk
                    for r in rows
                    if r.level == "course"
                ]
            ).values_list("course_id", "programme_id")
        )
        UnitProgramme.objects.bulk_create(
            UnitProgramme(course_id=c, programme_id=p) for c, p in wanted - links
        )
    return UnitImportSummary(created, updated, unchanged, len(wanted - links), 0)


def unit_save(
    *,
    institution: Institution,
    level: str,
    code: str,
    title: str,
    programmes: list[Unit] | None = None,
    unit: Unit | None = None,
) -> Unit:
    """Add a unit to the institution, or change one's title and programmes (an officer's
    page). The code and level of an existing unit stay as they are."""
    problems: list[Problem] = []
    if unit is None:
        code_problem = _code_problem(code)
        if code_problem:
            problems.append(Problem(code_problem, "code"))
        elif Unit.objects.filter(institution=institution, code=code).exists():
            problems.append(Problem(_("%(code)s is already used") % {"code": code}, "code"))
        if level not in {lv.value for lv in UNIT_LEVELS}:
            problems.append(Problem(_("choose programme or course"), "level"))
    if not title.strip() or len(title) > TITLE_MAX:
        problems.append(Problem(_("required, at most 200 characters"), "title"))
    programmes = programmes or []
    if any(p.institution_id != institution.pk or p.level != "programme" for p in programmes):
        problems.append(Problem(_("choose programmes of the institution"), "programmes"))
    if problems:
        raise UnitError(problems)
    with transaction.atomic():
        if unit is None:
            unit = Unit.objects.create(
                institution=institution, level=level, code=code, title=title.strip()
            )
        else:
            unit.title = title.strip()
            unit.save(update_fields=["title", "updated_at"])
        if unit.level == "course":
            UnitProgramme.objects.filter(course=unit).exclude(programme__in=programmes).delete()
            have = set(
                UnitProgramme.objects.filter(course=unit).values_list("programme_id", flat=True)
            )
            UnitProgramme.objects.bulk_create(
                UnitProgramme(course=unit, programme=p) for p in programmes if p.pk not in have
            )
    return unit


def contributor_assign(*, user: Any, unit: Unit, actor: Any = None) -> ContributorAssignment:
    """Let a contributor of the unit's institution fill the unit's assessments."""
    if user.role != Role.CONTRIBUTOR or user.institution_id != unit.institution_id:
        raise UnitError(
            [Problem(_("only a contributor of the same institution can be assigned"), "user")]
        )
    with transaction.atomic():
        assignment, _created = ContributorAssignment.objects.get_or_create(
            user=user,
            unit=unit,
            defaults={"assigned_by": actor if getattr(actor, "pk", None) else None},
        )
    return assignment


def contributor_unassign(*, user: Any, unit: Unit) -> None:
    with transaction.atomic():
        ContributorAssignment.objects.filter(user=user, unit=unit).delete()
