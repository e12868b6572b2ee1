"""Rubric files: parsing, validation and normalisation, with no database.

``read_rubric`` turns the bytes of a YAML or JSON file into a normalised
document (every text a language map, every default filled in, every number
canonical) or a list of problems, each with the file and the location in it,
for example ``domains[2].criteria[5].weight: must be greater than 0``.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import yaml
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem
from rubrics.i18n import RUBRIC_LANGUAGES
from rubrics.scoring import canonical_number, canonical_number_text

from .checks import SCHEMA_PATH, plain_copy, rubric_schema, schema_problems, semantic_problems
from .parsing import RUBRIC_DEPTH_MAX, RUBRIC_FILE_MAX, RubricFileError, file_problem, parse

__all__ = [
    "RUBRIC_DEPTH_MAX",
    "RUBRIC_FILE_MAX",
    "SCHEMA_PATH",
    "Problem",
    "RubricFileError",
    "content_hash",
    "dump_yaml",
    "file_problem",
    "normalise",
    "parse",
    "read_rubric",
    "rubric_schema",
    "to_file_document",
    "translation_gaps",
    "validate",
]


def read_rubric(content: bytes, source: str) -> dict[str, Any]:
    """Parse, validate and normalise one rubric file (YAML, JSON, or an .xlsx workbook);
    raise RubricFileError if anything is wrong."""
    if source.lower().endswith(".xlsx"):
        # Imported here: the workbook reader builds on this module's validate().
        from .spreadsheet.reading import read_rubric_workbook

        return read_rubric_workbook(content, source)
    return validate(parse(content, source), source)


def validate(raw: Any, source: str = "") -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RubricFileError(
            [file_problem(source, "", _("the file must hold a mapping (slug, version, …)"))]
        )
    found: list[tuple[str, str]] = []
    doc = _stringify_level_keys(plain_copy(raw, "", 0, found))
    if found:
        raise RubricFileError([file_problem(source, loc, msg) for loc, msg in found])
    problems = [file_problem(source, loc, msg) for loc, msg in schema_problems(doc)]
    if problems:
        raise RubricFileError(problems)
    problems = [file_problem(source, loc, msg) for loc, msg in semantic_problems(doc)]
    if problems:
        raise RubricFileError(problems)
    return normalise(doc)


def translation_gaps(doc: dict[str, Any]) -> list[str]:
    """Locations of texts missing a language that the rubric uses elsewhere."""
    used = set()
    texts = list(_texts(doc, ""))
    for _where, text in texts:
        used.update(text)
    return [
        _("%(location)s: no %(languages)s text")
        % {"location": loc, "languages": ", ".join(sorted(used - set(text)))}
        for loc, text in texts
        if used - set(text)
    ]


def content_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


# --- normalisation -------------------------------------------------------------------------


def _stringify_level_keys(doc: dict[str, Any]) -> dict[str, Any]:
    """YAML reads ``0:`` as an int key; JSON cannot. Level keys become canonical strings.

    ``doc`` is already a plain copy (``_plain``); only its shape is still unchecked."""
    domains = doc.get("domains")
    for domain in domains if isinstance(domains, list) else []:
        if not isinstance(domain, dict):
            continue
        criteria = domain.get("criteria")
        for criterion in criteria if isinstance(criteria, list) else []:
            if not isinstance(criterion, dict):
                continue
            for key in ("descriptors", "recommendations"):
                if isinstance(criterion.get(key), dict):
                    criterion[key] = {_level_key(k): v for k, v in criterion[key].items()}
    return doc


def _level_key(key: Any) -> str:
    try:
        return canonical_number_text(bounds.number(str(key)))
    except bounds.BoundError:
        return str(key)  # the schema's key pattern or the level check refuses it


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    return {lang: value[lang] for lang in RUBRIC_LANGUAGES if lang in value}


# Rubric-level options whose defaults keep the meaning files had before the options existed.
FRAMEWORK_DEFAULTS = {"normalise": "max", "overall": "score", "plan_target": "next"}


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and canonicalise so that equal meaning gives equal content hashes."""
    out: dict[str, Any] = {
        "slug": doc["slug"],
        "version": doc["version"],
        "title": _text(doc["title"]),
        "description": _optional_text(doc, "description"),
        "aggregate": doc.get("aggregate", "domains"),
        # Only when not the default: documents stored before the field existed keep their hash.
        **({"level": doc["level"]} if doc.get("level", "institution") != "institution" else {}),
        # A review panel's rule; the default (majority) is left out so that versions
        # imported before the key existed keep their content hash.
        **(
            {"consensus": doc["consensus"]}
            if doc.get("consensus", "majority") != "majority"
            else {}
        ),
        # Framework options (normalise, overall, plan_target): likewise only when not the
        # default.
        **{
            key: doc[key]
            for key, default in FRAMEWORK_DEFAULTS.items()
            if doc.get(key, default) != default
        },
        "scale": [_normal_level(level) for level in doc["scale"]],
        "bands": [_normal_band(b) for b in doc.get("bands") or []],
        "domains": [_normal_domain(d) for d in doc["domains"]],
    }
    if doc.get("pass"):
        rule = doc["pass"]
        top = max(canonical_number(level["value"]) for level in doc["scale"])
        out["pass"] = {
            **_threshold(rule, "min_score"),
            "critical_min_value": canonical_number(rule.get("critical_min_value", top)),
        }
    return out


def _normal_level(level: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": canonical_number(level["value"]),
        "label": _text(level["label"]),
        "description": _optional_text(level, "description"),
        **({"effort": _text(level["effort"])} if "effort" in level else {}),
        **(
            {"effort_hours": canonical_number(level["effort_hours"])}
            if "effort_hours" in level
            else {}
        ),
    }


def _optional_text(source: dict[str, Any], key: str) -> dict[str, str]:
    return _text(source[key]) if key in source else {}


def _level_texts(source: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    items = sorted((source or {}).items(), key=lambda kv: Decimal(kv[0]))
    return {k: _text(v) for k, v in items}


def _threshold(source: dict[str, Any], percent_key: str) -> dict[str, Any]:
    """A band's or the pass rule's threshold: points where given, else a percentage."""
    if "min_points" in source:
        return {"min_points": canonical_number(source["min_points"])}
    return {percent_key: canonical_number(source[percent_key])}


def _normal_band(band: dict[str, Any]) -> dict[str, Any]:
    return {
        **_threshold(band, "min"),
        "label": _text(band["label"]),
        "description": _optional_text(band, "description"),
        # Only when set: documents stored before the field existed keep their hash.
        **({"requires_pass": True} if band.get("requires_pass") else {}),
    }


def _normal_domain(domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": domain["code"],
        "title": _text(domain["title"]),
        "description": _optional_text(domain, "description"),
        "weight": canonical_number(domain.get("weight", 1)),
        # A domain gate, only when set (see "Scoring" in the README).
        **({"min_score": canonical_number(domain["min_score"])} if "min_score" in domain else {}),
        **(
            {"min_points": canonical_number(domain["min_points"])} if "min_points" in domain else {}
        ),
        "criteria": [
            {
                "code": c["code"],
                "text": _text(c["text"]),
                "guidance": _optional_text(c, "guidance"),
                "weight": canonical_number(c.get("weight", 1)),
                "critical": bool(c.get("critical", False)),
                "allow_na": bool(c.get("allow_na", False)),
                **({"evidence_required": True} if c.get("evidence_required") else {}),
                "descriptors": _level_texts(c.get("descriptors")),
                "recommendations": _level_texts(c.get("recommendations")),
            }
            for c in domain["criteria"]
        ],
    }


def _texts(node: Any, loc: str):
    """Every language map in a normalised document, with its location."""
    if isinstance(node, dict):
        if (
            node
            and set(node) <= set(RUBRIC_LANGUAGES)
            and all(isinstance(v, str) for v in node.values())
        ):
            yield loc, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{loc}.{key}" if loc else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{loc}[{i}]")


def to_file_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A normalised document trimmed for authors: empty optional texts and lists dropped."""

    def trim(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: trim(v) for k, v in node.items() if v not in ({}, [], None)}
        if isinstance(node, list):
            return [trim(v) for v in node]
        return node

    return trim(doc)


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(
        to_file_document(doc),
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
