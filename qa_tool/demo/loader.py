"""Loading the demo from its data files, through the importers and services real data use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from qa_tool.core.refusals import Problem, Refusal
from qa_tool.institutions.models import Institution, Role, User
from qa_tool.institutions.services import (
    ImportSummary,
    institutions_import,
    parse_institutions_csv,
)
from qa_tool.institutions.units import parse_units_csv, units_import
from rubrics.services import crosswalk_import, rubric_import

from .assessments import Actors, load_assessments
from .campaigns import load_campaigns, load_contributors
from .files import (
    DATA_DIR,
    INSTITUTIONS_FILE,
    PARAMETERS_FILE,
    PEOPLE_FILE,
    UNITS_FILE,
    DemoDataError,
    Parameters,
    Person,
    read_parameters,
    read_people,
    read_text,
)
from .people import SharedPassword, person_ensure
from .plans import load_plans
from .releases import publish_releases

# The demo needs the shipped rubrics, whatever else was imported.
LIBRARY = Path(__file__).resolve().parents[2] / "rubrics" / "library"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo log-in, see README


@dataclass(frozen=True)
class Summary:
    institutions: ImportSummary
    people: list[Person]
    new_people: int
    new_assessments: int
    new_plans: int


T = TypeVar("T")


def _located(read: Callable[[str], T], name: str, text: str) -> T:
    try:
        return read(text)
    except Refusal as exc:
        raise exc.located(name) from None


def _check(codes: list[str], people: list[Person], params: Parameters) -> None:
    """Cross-file references, all reported at once before anything is saved."""
    known = set(codes)
    problems = [
        Problem(f"no maturity for institution {code}", f"{PARAMETERS_FILE}: maturity")
        for code in codes
        if code not in params.maturity
    ]
    wanted = [
        *(p.institution for p in people if p.institution),
        *params.maturity,
        *params.plan_institutions,
        params.in_progress.institution,
    ]
    problems += [
        Problem(f"institution {code} is not in {INSTITUTIONS_FILE}", "references")
        for code in dict.fromkeys(wanted)
        if code not in known
    ]
    if not params.cycles or params.validate_every < 1:
        problems.append(Problem("needs cycles and validation.every >= 1", PARAMETERS_FILE))
    if params.in_progress.cycle not in {c.name for c in params.cycles}:
        problems.append(Problem("not one of the cycles", f"{PARAMETERS_FILE}: in_progress.cycle"))
    if not any(p.role == Role.REVIEWER for p in people):
        problems.append(Problem("needs a reviewer to review and validate", PEOPLE_FILE))
    if problems:
        raise DemoDataError(problems)


def _people(people: list[Person], password: str) -> tuple[Actors, int]:
    institutions = Institution.objects.in_bulk(field_name="code")
    users: list[tuple[Person, User]] = []
    created = 0
    shared = SharedPassword(password)
    for person in people:
        try:
            user, new = person_ensure(
                username=person.username,
                role=person.role,
                institution=institutions.get(person.institution),
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                password=shared,
                superuser=person.superuser,
            )
        except ValidationError as exc:
            raise DemoDataError(
                [Problem(m, f"{PEOPLE_FILE}: {person.username}") for m in exc.messages]
            ) from None
        users.append((person, user))
        created += new
    # The file's first officer of an institution answers for it; its first reviewer reviews.
    officers: dict[str, User] = {}
    for person, user in users:
        if person.role == Role.OFFICER:
            officers.setdefault(person.institution, user)
    reviewer = next(user for person, user in users if person.role == Role.REVIEWER)
    return Actors(officers=officers, reviewer=reviewer), created


def load(*, data_dir: Path = DATA_DIR, password: str = DEMO_PASSWORD) -> Summary:
    """Load the demo (institutions, people, two cycles of assessments, action plans).

    Idempotent: institutions follow the CSV as the importer does; people (but for their
    password), assessments and plans that exist are left as they are, so a demo user's
    changes survive and a second run changes nothing. Raises a ``Refusal`` (every problem,
    located) and saves nothing of the data files when one of them is wrong; the shipped
    rubrics and crosswalks are imported first.
    """
    files = sorted(LIBRARY.glob("*.yaml"))
    rubric_import(files=[(f.name, f.read_bytes()) for f in files])
    # The shipped crosswalks too: the demo's course reviews read through the institution rubric.
    for crosswalk_file in sorted((LIBRARY / "crosswalks").glob("*.yaml")):
        crosswalk_import(name=crosswalk_file.name, content=crosswalk_file.read_bytes())
    institutions_text = read_text(data_dir, INSTITUTIONS_FILE)
    people = _located(read_people, PEOPLE_FILE, read_text(data_dir, PEOPLE_FILE))
    params = _located(read_parameters, PARAMETERS_FILE, read_text(data_dir, PARAMETERS_FILE))
    rows, problems = parse_institutions_csv(institutions_text)
    if problems:
        raise DemoDataError(problems).located(INSTITUTIONS_FILE)
    codes = [row["code"] for row in rows]
    _check(codes, people, params)
    units_text = read_text(data_dir, UNITS_FILE) if (data_dir / UNITS_FILE).exists() else ""
    if units_text:
        _unit_rows, unit_problems = parse_units_csv(units_text)
        if unit_problems:
            raise DemoDataError(unit_problems).located(UNITS_FILE)
    with transaction.atomic():
        try:
            institutions = institutions_import(text=institutions_text)
        except Refusal as exc:
            raise exc.located(INSTITUTIONS_FILE) from None
        if units_text:
            try:
                units_import(text=units_text)
            except Refusal as exc:
                raise exc.located(UNITS_FILE) from None
        actors, new_people = _people(people, password)
        new_assessments = load_assessments(params=params, institutions=codes, actors=actors)
        new_assessments += load_campaigns(params=params, actors=actors)
        load_contributors(params=params, actors=actors)
        new_plans = load_plans(params=params, actors=actors)
        publish_releases(reviewer=actors.reviewer)
    return Summary(institutions, people, new_people, new_assessments, new_plans)
