"""Crosswalk files: parsing, validation and normalisation, with no database.

A crosswalk links the criteria of one rubric version (the source) to the criteria of
another (the target), so that answers to the one can be read against the other. It is
read with the rubric reader's defences (size, aliases, tags, depth, duplicate keys,
number bounds) and its own JSON Schema; whether both versions are imported and every
code exists is checked by ``rubrics.services.crosswalk_import``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .checks import plain_copy, schema_problems
from .document import RubricFileError, _text, content_hash, file_problem, parse

CROSSWALK_SCHEMA_PATH = Path(__file__).parent / "schema" / "crosswalk.schema.json"

FULL = "full"
PARTIAL = "partial"
STRENGTHS = (FULL, PARTIAL)


@cache
def crosswalk_schema() -> dict[str, Any]:
    return json.loads(CROSSWALK_SCHEMA_PATH.read_text(encoding="utf-8"))


class CrosswalkFileError(RubricFileError):
    """Every problem of a crosswalk file, located by file and place."""


def read_crosswalk(content: bytes, source: str) -> dict[str, Any]:
    """Parse, validate and normalise one crosswalk file; raise CrosswalkFileError if wrong."""
    try:
        raw = parse(content, source)
    except RubricFileError as exc:
        raise CrosswalkFileError(exc.problems) from None
    return validate_crosswalk(raw, source)


def validate_crosswalk(raw: Any, source: str = "") -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CrosswalkFileError(
            [file_problem(source, "", _("the file must hold a mapping (source, target, links)"))]
        )
    found: list[tuple[str, str]] = []
    doc = plain_copy(raw, "", 0, found)
    if found:
        raise CrosswalkFileError([file_problem(source, loc, msg) for loc, msg in found])
    problems = [
        file_problem(source, loc, msg) for loc, msg in schema_problems(doc, crosswalk_schema())
    ]
    if problems:
        raise CrosswalkFileError(problems)
    doc = normalise_crosswalk(doc)
    problems = [file_problem(source, loc, msg) for loc, msg in _link_problems(doc)]
    if problems:
        raise CrosswalkFileError(problems)
    return doc


def normalise_crosswalk(doc: dict[str, Any]) -> dict[str, Any]:
    """Texts as language maps, every link's source as a list of codes."""
    return {
        "source": {"slug": doc["source"]["slug"], "version": doc["source"]["version"]},
        "target": {"slug": doc["target"]["slug"], "version": doc["target"]["version"]},
        "title": _text(doc["title"]) if "title" in doc else {},
        "description": _text(doc["description"]) if "description" in doc else {},
        "links": [
            {
                "source": [link["source"]]
                if isinstance(link["source"], str)
                else list(link["source"]),
                "target": link["target"],
                "strength": link["strength"],
                "note": _text(link["note"]) if "note" in link else {},
            }
            for link in doc["links"]
        ],
    }


def _link_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    if doc["source"] == doc["target"]:
        found.append(("target", _("the target must be another rubric version than the source")))
    seen: dict[tuple[tuple[str, ...], str], int] = {}
    for i, link in enumerate(doc["links"]):
        codes = link["source"]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            found.append(
                (
                    f"links[{i}].source",
                    _("%(codes)s listed more than once") % {"codes": ", ".join(duplicates)},
                )
            )
        key = (tuple(sorted(set(codes))), link["target"])
        if key in seen:
            found.append(
                (
                    f"links[{i}]",
                    _("the same link as links[%(index)s]") % {"index": seen[key]},
                )
            )
        seen.setdefault(key, i)
    return found


def crosswalk_hash(doc: dict[str, Any]) -> str:
    return content_hash(doc)
