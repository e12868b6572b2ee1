"""Reading the demo's data files: the people (CSV) and the assessments' parameters (YAML).

The institutions' CSV is not read here: it goes as it is to the institutions importer.
Every problem is reported at once, located by file and line or key, as importers do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qa_tool.core.refusals import Problem, Refusal

DATA_DIR = Path(__file__).resolve().parent / "data"
INSTITUTIONS_FILE = "institutions.csv"
PEOPLE_FILE = "people.csv"
PARAMETERS_FILE = "assessments.yaml"
UNITS_FILE = "units.csv"  # optional: programmes and courses, the import_units format

PEOPLE_COLUMNS = ("username", "role", "institution", "first_name", "last_name", "email")


class DemoDataError(Refusal):
    """A demo data file that cannot be loaded; nothing was saved."""


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    institution: str  # a code, blank for the coordinating centre's roles
    first_name: str
    last_name: str
    email: str
    superuser: bool


@dataclass(frozen=True)
class CycleSpec:
    name: str
    is_open: bool
    drift: float


@dataclass(frozen=True)
class InProgress:
    rubric: str
    institution: str
    cycle: str
    maturity: float
    subject: str = ""  # a unit code, for a programme or course rubric


@dataclass(frozen=True)
class CampaignSpec:
    institution: str
    name: str
    rubric: str
    cycle: str
    programmes: list[str]
    statuses: list[str]
    maturity: float


CAMPAIGN_STATUSES = ("not_started", "draft", "submitted", "returned", "validated")


@dataclass(frozen=True)
class Parameters:
    rubric: str
    cycles: list[CycleSpec]
    maturity: dict[str, float]
    na_share: float
    na_justification: str
    justifications: list[str]
    validate_every: int
    review_comment: str
    validation_comment: str
    in_progress: InProgress
    plan_institutions: list[str]
    plan_statuses: list[str]
    plan_owners: list[str]
    campaigns: list[CampaignSpec] = field(default_factory=list)
    contributors: dict[str, list[str]] = field(default_factory=dict)


def read_text(data_dir: Path, name: str) -> str:
    try:
        # utf-8-sig: a CSV saved by a spreadsheet starts with a byte-order mark.
        return (data_dir / name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DemoDataError([Problem(f"cannot read ({exc})", name)]) from None


def read_people(text: str) -> list[Person]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PEOPLE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DemoDataError([Problem(f"missing column(s) {', '.join(missing)}", "header")])
    people, problems = [], []
    for line, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        if not cells["username"] or not cells["role"]:
            problems.append(Problem("username and role are required", f"line {line}"))
            continue
        people.append(
            Person(
                **{c: cells[c] for c in PEOPLE_COLUMNS},
                superuser=cells.get("superuser", "").lower() in ("yes", "true", "1"),
            )
        )
    if problems:
        raise DemoDataError(problems)
    return people


def _get(data: Any, path: str) -> Any:
    value = data
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise DemoDataError([Problem("required", path)])
        value = value[key]
    return value


def read_parameters(text: str) -> Parameters:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DemoDataError([Problem(f"not YAML ({exc})")]) from None
    try:
        maturity = {str(code): float(v) for code, v in _get(data, "maturity").items()}
        cycles = [
            CycleSpec(str(c["name"]), bool(c["open"]), float(c["drift"]))
            for c in _get(data, "cycles")
        ]
        in_progress = _get(data, "in_progress")
        return Parameters(
            rubric=str(_get(data, "rubric")),
            cycles=cycles,
            maturity=maturity,
            na_share=float(_get(data, "not_applicable.share")),
            na_justification=str(_get(data, "not_applicable.justification")),
            justifications=[str(j) for j in _get(data, "justifications")],
            validate_every=int(_get(data, "validation.every")),
            review_comment=str(_get(data, "validation.review_comment")),
            validation_comment=str(_get(data, "validation.comment")),
            in_progress=InProgress(
                rubric=str(in_progress["rubric"]),
                institution=str(in_progress["institution"]),
                cycle=str(in_progress["cycle"]),
                maturity=float(in_progress["maturity"]),
                subject=str(in_progress.get("subject") or ""),
            ),
            plan_institutions=[str(c) for c in _get(data, "plans.institutions")],
            plan_statuses=[str(s) for s in _get(data, "plans.statuses")],
            plan_owners=[str(o) for o in _get(data, "plans.owners")],
            campaigns=[
                CampaignSpec(
                    institution=str(c["institution"]),
                    name=str(c["name"]),
                    rubric=str(c["rubric"]),
                    cycle=str(c["cycle"]),
                    programmes=[str(p) for p in c.get("programmes") or []],
                    statuses=[str(s) for s in c["statuses"]],
                    maturity=float(c["maturity"]),
                )
                for c in data.get("campaigns") or []
            ],
            contributors={
                str(user): [str(code) for code in codes]
                for user, codes in (data.get("contributors") or {}).items()
            },
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise DemoDataError([Problem(f"unexpected shape ({exc!r})")]) from None
