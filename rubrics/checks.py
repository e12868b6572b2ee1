"""Checking a parsed rubric: plain data within the bounds, the JSON Schema, and the rules
a schema cannot say (increasing levels and thresholds, unique codes, level keys). Each
check returns (location, message) pairs; nothing here raises for a bad document.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from rubrics.i18n import RUBRIC_LANGUAGES

from .parsing import RUBRIC_DEPTH_MAX

SCHEMA_PATH = Path(__file__).parent / "schema" / "rubric.schema.json"
# Criterion, domain and version codes, as both schemas write them.
CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"


@cache
def rubric_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- plain data within bounds, before any rule looks at it --------------------------------


def plain_copy(node: Any, loc: str, depth: int, found: list[tuple[str, str]]) -> Any:
    """A JSON-like copy of ``node``: every number within the bounds, keys as texts, dates
    and other YAML types as texts, depth capped; problems added to ``found``."""
    where = loc or "(top level)"
    if depth > RUBRIC_DEPTH_MAX:
        found.append((where, _("nested more than %(max)s levels deep") % {"max": RUBRIC_DEPTH_MAX}))
        return None
    if node is None or isinstance(node, (bool, str)):
        return node
    if isinstance(node, (int, float, Decimal)):
        try:
            bounds.number(node)
        except bounds.BoundError as exc:
            found.append((where, str(exc)))
            return None
        return float(node) if isinstance(node, Decimal) else node
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                try:
                    bounds.number(key)
                except bounds.BoundError as exc:
                    found.append((_location_join(loc, str(key)[:40]), str(exc)))
                    continue
                name = json.dumps(key)
            elif isinstance(key, str):
                name = key
            elif key is None or isinstance(key, bool):
                name = json.dumps(key)
            else:
                name = str(key)
            out[name] = plain_copy(value, _location_join(loc, name), depth + 1, found)
        return out
    if isinstance(node, (list, tuple)):
        return [plain_copy(v, f"{loc}[{i}]", depth + 1, found) for i, v in enumerate(node)]
    return str(node)  # dates, timestamps, binary and sets read from YAML tags


def _location_join(loc: str, name: str) -> str:
    return f"{loc}.{name}" if loc else name


# --- schema errors in the author's words ----------------------------------------------------


def _location(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def schema_problems(
    doc: dict[str, Any], schema: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """Schema errors in the author's words: the rubric schema, or ``schema`` (crosswalks)."""
    validator = jsonschema.Draft202012Validator(schema or rubric_schema())
    found: list[tuple[str, str]] = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        found.extend(_explain(error))
    # One problem per location and message, in file order.
    return list(dict.fromkeys(found))


def _explain(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    path = list(error.absolute_path)
    loc = _location(path)
    kind = error.validator
    if kind == "oneOf":
        return _explain_one_of(error, path)
    if kind == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [(_location([*path, name]), _("is required")) for name in missing]
    if kind == "additionalProperties":
        return _explain_extra(error, path)
    if kind == "type":
        return [(loc, _("must be %(kind)s") % {"kind": _type_words(error.validator_value)})]
    if kind == "exclusiveMinimum":
        return [(loc, _("must be greater than %(limit)s") % {"limit": error.validator_value})]
    if kind == "minimum":
        return [(loc, _("must be at least %(limit)s") % {"limit": error.validator_value})]
    if kind == "maximum":
        return [(loc, _("must be at most %(limit)s") % {"limit": error.validator_value})]
    if kind == "enum":
        return [
            (
                loc,
                _("must be one of %(choices)s")
                % {"choices": ", ".join(map(str, error.validator_value))},
            )
        ]
    if kind == "minItems":
        return [(loc, _("must have at least %(count)s item(s)") % {"count": error.validator_value})]
    if kind in ("minLength",):
        return [(loc, _("must not be empty"))]
    if kind == "maxLength":
        return [(loc, _("must be at most %(count)s characters") % {"count": error.validator_value})]
    if kind == "pattern":
        return [(loc, _pattern_words(error, path))]
    return [(loc, error.message)]


def _explain_extra(error: jsonschema.ValidationError, path: list[Any]) -> list[tuple[str, str]]:
    allowed = set(error.schema.get("properties", {}))
    extra = sorted(set(error.instance) - allowed)
    if allowed == set(RUBRIC_LANGUAGES):
        languages = ", ".join(RUBRIC_LANGUAGES)
        return [
            (
                _location([*path, name]),
                _("unknown language; use one of %(languages)s") % {"languages": languages},
            )
            for name in extra
        ]
    return [(_location([*path, name]), _("unknown field")) for name in extra]


def _pattern_words(error: jsonschema.ValidationError, path: list[Any]) -> str:
    if "propertyNames" in error.absolute_schema_path:
        return _("level key %(key)s is not a level value (a number)") % {
            "key": repr(error.instance)
        }
    field = path[-1] if path else ""
    if field == "slug":
        return _("must be lowercase letters and digits, separated by single hyphens")
    if field in ("version", "code") or error.validator_value == CODE_PATTERN:
        return _("must be letters, digits, dots, hyphens or underscores")
    return _("does not match %(pattern)s") % {"pattern": error.validator_value}


def _type_words(expected: Any) -> str:
    words = {
        "object": _("a mapping"),
        "array": _("a list"),
        "string": _("a text"),
        "number": _("a number"),
        "integer": _("a whole number"),
        "boolean": _("true or false"),
    }
    if isinstance(expected, list):
        return _(" or ").join(words.get(t, t) for t in expected)
    return words.get(expected, expected)


def _explain_one_of(error: jsonschema.ValidationError, path: list[Any]) -> list[tuple[str, str]]:
    loc = _location(path)
    branches = error.schema["oneOf"]
    if all(set(b) == {"required"} for b in branches):
        if not isinstance(error.instance, dict):  # said once, by the type check, too
            return [(loc, _("must be %(kind)s") % {"kind": _type_words("object")})]
        names = [b["required"][0] for b in branches]
        present = [n for n in names if n in error.instance]
        if present:
            return [
                (loc, _("give only one of %(names)s, not both") % {"names": _(" or ").join(names)})
            ]
        return [(loc, _("needs %(names)s") % {"names": _(" or ").join(names)})]
    # A text: a string or a language map. Explain against the branch of the given kind.
    if isinstance(error.instance, dict):
        by_branch = [e for e in error.context if e.schema_path and e.schema_path[0] == 1]
        explained = [item for e in by_branch for item in _explain(e)]
        return explained or [(loc, error.message)]
    if isinstance(error.instance, str):
        return [(loc, _("must not be empty"))]
    return [(loc, _("must be a text, or a map of language code to text"))]


# --- what a schema cannot say --------------------------------------------------------------


def _number(value: Any) -> Fraction:
    """Every number read from a rubric goes through the bounds: ``1e999999999`` as a
    Fraction would tie the worker up (BoundError, a ValueError, otherwise)."""
    return Fraction(bounds.number(value))


def semantic_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say: levels and thresholds increase, kinds of threshold agree,
    codes are unique, level keys are levels of the scale."""
    values = [_number(level["value"]) for level in doc["scale"]]
    problems = [
        (f"scale[{i}].value", _("level values must increase strictly"))
        for i in range(1, len(values))
        if values[i] <= values[i - 1]
    ]
    problems += _threshold_problems(doc, values)
    problems += _framework_problems(doc)
    problems += _code_problems(doc)
    problems += _level_key_problems(doc, values)
    problems += _top_effort_problems(doc, values)
    return problems


def _threshold_problems(doc: dict[str, Any], values: list[Fraction]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    bands = doc.get("bands") or []
    kinds = {"min_points" if "min_points" in b else "min" for b in bands}
    if len(kinds) > 1:
        problems.append(("bands", _("use either min or min_points in every band, not a mix")))
    for key in ("min", "min_points"):
        thresholds = [(i, _number(b[key])) for i, b in enumerate(bands) if key in b]
        if thresholds and thresholds[0][1] != 0:
            problems.append(
                (f"bands[{thresholds[0][0]}].{key}", _("the first band must start at 0"))
            )
        for (_first, before), (i, value) in itertools.pairwise(thresholds):
            if value <= before:
                problems.append((f"bands[{i}].{key}", _("band thresholds must increase strictly")))
    rule = doc.get("pass") or {}
    if not rule:
        problems.extend(
            (f"bands[{i}].requires_pass", _("needs a pass rule (pass) in the rubric"))
            for i, b in enumerate(bands)
            if b.get("requires_pass")
        )
    if "min_points" in rule:
        kinds.add("min_points")
    elif "min_score" in rule:
        kinds.add("min")
    if "min_points" in kinds:
        if doc.get("aggregate", "domains") != "criteria":
            problems.append(
                ("aggregate", _("point thresholds (min_points) need aggregate: criteria"))
            )
        if len(kinds) > 1:
            problems.append(("pass", _("bands and pass must use the same kind of threshold")))
    if "critical_min_value" in rule and _number(rule["critical_min_value"]) not in values:
        problems.append(("pass.critical_min_value", _("must be one of the scale's level values")))
    return problems


def _framework_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """A profile rubric (overall: none) has nothing to band or pass; a domain gate is part
    of the pass rule, so it needs one; a gate in points needs points per domain."""
    problems: list[tuple[str, str]] = []
    profile = doc.get("overall", "score") == "none"
    if profile and doc.get("bands"):
        problems.append(
            ("bands", _("a rubric with overall: none has no score, so it cannot have bands"))
        )
    if profile and doc.get("pass"):
        problems.append(
            ("pass", _("a rubric with overall: none has no score, so it cannot have a pass rule"))
        )
    for i, domain in enumerate(doc["domains"]):
        for key in ("min_score", "min_points"):
            if key not in domain:
                continue
            where = f"domains[{i}].{key}"
            if profile:
                problems.append(
                    (where, _("a rubric with overall: none has no score, so no domain gates"))
                )
            elif not doc.get("pass"):
                problems.append(
                    (where, _("a domain gate is part of the pass rule: add a pass rule (pass)"))
                )
            if key == "min_points" and doc.get("aggregate", "domains") != "criteria":
                problems.append(
                    (where, _("point thresholds (min_points) need aggregate: criteria"))
                )
    return problems


def _criteria(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every criterion with its location, in rubric order."""
    return [
        (f"domains[{i}].criteria[{j}]", criterion)
        for i, domain in enumerate(doc["domains"])
        for j, criterion in enumerate(domain["criteria"])
    ]


def _code_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    domain_codes: dict[str, str] = {}
    for i, domain in enumerate(doc["domains"]):
        where = f"domains[{i}]"
        if domain["code"] in domain_codes:
            problems.append(
                (
                    f"{where}.code",
                    _("duplicate domain code %(code)s (first at %(first)s)")
                    % {"code": repr(domain["code"]), "first": domain_codes[domain["code"]]},
                )
            )
        domain_codes.setdefault(domain["code"], where)
    criterion_codes: dict[str, str] = {}
    for cwhere, criterion in _criteria(doc):
        code = criterion["code"]
        if code in criterion_codes:
            problems.append(
                (
                    f"{cwhere}.code",
                    _("duplicate criterion code %(code)s (first at %(first)s)")
                    % {"code": repr(code), "first": criterion_codes[code]},
                )
            )
        criterion_codes.setdefault(code, cwhere)
        if criterion.get("critical") and criterion.get("allow_na"):
            problems.append((f"{cwhere}.allow_na", _("a critical criterion cannot allow N/A")))
    return problems


def _level_key_problems(doc: dict[str, Any], values: list[Fraction]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    top = max(values)
    for cwhere, criterion in _criteria(doc):
        for key in ("descriptors", "recommendations"):
            for level_key in criterion.get(key) or {}:
                try:
                    level = _number(level_key)
                except ValueError:
                    level = None
                if level not in values:
                    problems.append(
                        (f"{cwhere}.{key}.{level_key}", _("is not a level value of the scale"))
                    )
                elif key == "recommendations" and level == top:
                    problems.append(
                        (f"{cwhere}.{key}.{level_key}", _("the top level needs no recommendation"))
                    )
    return problems


def _top_effort_problems(doc: dict[str, Any], values: list[Fraction]) -> list[tuple[str, str]]:
    """An estimate is the work to improve a criterion from its level: the top has none."""
    top = max(values)
    return [
        (f"scale[{i}].{key}", _("the top level needs no effort estimate"))
        for i, (level, value) in enumerate(zip(doc["scale"], values, strict=True))
        if value == top
        for key in ("effort", "effort_hours")
        if key in level
    ]
