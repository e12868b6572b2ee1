"""Rubric files: parsing, validation and normalisation, with no database.

``read_rubric`` turns the bytes of a YAML or JSON file into a normalised
document (every text a language map, every default filled in, every number
canonical) or a list of problems, each with the file and the location in it,
for example ``domains[2].criteria[5].weight: must be greater than 0``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.utils.translation import gettext as _
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node
from yaml.resolver import Resolver

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem, Refusal
from rubrics.i18n import RUBRIC_LANGUAGES
from rubrics.scoring import canonical_number, canonical_number_text

SCHEMA_PATH = Path(__file__).parent / "schema" / "rubric.schema.json"

# The shipped rubrics are about 0.5 MB together; a file ten times that is not a rubric.
RUBRIC_FILE_MAX = 5_000_000
# Nesting in a rubric goes about eight levels deep; anything far deeper is hostile, and
# both the composer and jsonschema recurse once per level.
RUBRIC_DEPTH_MAX = 40

# libyaml's parser (about ten times faster than Python's on the shipped rubrics) with
# Python's composer on top: the composer is where aliases (a "billion laughs" file
# expands a few hundred bytes to gigabytes) and depth can be refused, event by event,
# before anything is built. Costs about a third over libyaml's own composer.
_Parser = getattr(getattr(yaml, "cyaml", None), "CParser", None) or yaml.parser.Parser


class _RubricYamlError(yaml.MarkedYAMLError):
    """A refusal found while loading, with the place it was found."""


class _BoundedLoader(Composer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc,valid-type]
    """A safe loader that refuses aliases and anchors, deep nesting, duplicate keys and
    numbers beyond the bounds, each with its line."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _RubricYamlError(
                problem=_("anchors and aliases (& and *) are not allowed in rubric files"),
                problem_mark=event.start_mark,
            )
        if getattr(event, "tag", None) is not None:
            # Rubric files need no explicit types; tags such as !!timestamp or !!binary only
            # reach constructors that fail on text they did not expect.
            raise _RubricYamlError(
                problem=_("tags (such as !!str) are not allowed in rubric files"),
                problem_mark=event.start_mark,
            )
        self._depth += 1
        if self._depth > RUBRIC_DEPTH_MAX:
            raise _RubricYamlError(
                problem=_("nested more than %(max)s levels deep") % {"max": RUBRIC_DEPTH_MAX},
                problem_mark=event.start_mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:
                    continue  # an unhashable key; the constructor says so below
                if first != key_node.start_mark.line + 1:
                    raise _RubricYamlError(
                        problem=_("duplicate key %(key)s (first at line %(line)s)")
                        % {"key": repr(key), "line": first},
                        problem_mark=key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Node) -> int:
        digits = str(node.value).replace("_", "").lstrip("+-")
        if len(digits) > bounds.NUMBER_CHARS_MAX:
            raise _RubricYamlError(
                problem=_("the number is too large"), problem_mark=node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Node) -> float:
        value = super().construct_yaml_float(node)
        try:
            bounds.number(value)
        except bounds.BoundError as exc:
            raise _RubricYamlError(problem=str(exc), problem_mark=node.start_mark) from None
        return value

    def construct_yaml_timestamp(self, node: Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2026-13-45 looks like a date to YAML, but is none
            raise _RubricYamlError(
                problem=_("%(value)s is not a date") % {"value": repr(node.value)},
                problem_mark=node.start_mark,
            ) from None


_BoundedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _BoundedLoader.construct_yaml_timestamp
)
_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)
_BoundedLoader.add_constructor("tag:yaml.org,2002:float", _BoundedLoader.construct_yaml_float)
_BoundedLoader.add_constructor("tag:yaml.org,2002:map", _BoundedLoader.construct_yaml_map)


def _load_yaml(text: str) -> Any:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise bounds.BoundError(_("duplicate key %(key)s") % {"key": repr(key)})
        seen[key] = value
    return seen


def file_problem(source: str, location: str, message: str) -> Problem:
    """A rubric file problem, located by file and then by path inside the file."""
    return Problem(message, ": ".join(part for part in (source, location) if part))


class RubricFileError(Refusal):
    """Raised with every problem found, never with only the first."""


@cache
def rubric_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def parse(content: bytes, source: str) -> Any:
    """Parse YAML (a superset of JSON) or, for ``.json`` names, strict JSON."""
    if len(content) > RUBRIC_FILE_MAX:
        message = _("the file is larger than %(max)s bytes") % {"max": RUBRIC_FILE_MAX}
        raise RubricFileError([file_problem(source, "", message)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricFileError(
            [file_problem(source, "", _("not UTF-8 text (%(reason)s)") % {"reason": exc.reason})]
        ) from None
    if source.lower().endswith(".json"):
        try:
            return bounds.json_loads(
                text, max_depth=RUBRIC_DEPTH_MAX, object_pairs_hook=_unique_keys
            )
        except bounds.BoundError as exc:
            raise RubricFileError([file_problem(source, "", str(exc))]) from None
        except json.JSONDecodeError as exc:
            message = _("malformed JSON at line %(line)s, column %(column)s: %(reason)s") % {
                "line": exc.lineno,
                "column": exc.colno,
                "reason": exc.msg,
            }
            raise RubricFileError([file_problem(source, "", message)]) from None
    try:
        return _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        if mark:
            message = _("malformed YAML at line %(line)s, column %(column)s: %(reason)s") % {
                "line": mark.line + 1,
                "column": mark.column + 1,
                "reason": reason,
            }
        else:
            message = _("malformed YAML: %(reason)s") % {"reason": reason}
        raise RubricFileError([file_problem(source, "", message)]) from None


def read_rubric(content: bytes, source: str) -> dict[str, Any]:
    """Parse, validate and normalise one rubric file; raise RubricFileError if anything is wrong."""
    return validate(parse(content, source), source)


def validate(raw: Any, source: str = "") -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RubricFileError(
            [file_problem(source, "", _("the file must hold a mapping (slug, version, …)"))]
        )
    found: list[tuple[str, str]] = []
    doc = _stringify_level_keys(_plain(raw, "", 0, found))
    if found:
        raise RubricFileError([file_problem(source, loc, msg) for loc, msg in found])
    problems = [file_problem(source, loc, msg) for loc, msg in _schema_problems(doc)]
    if problems:
        raise RubricFileError(problems)
    problems = [file_problem(source, loc, msg) for loc, msg in _semantic_problems(doc)]
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


# --- plain data within bounds, before any rule looks at it --------------------------------


def _plain(node: Any, loc: str, depth: int, found: list[tuple[str, str]]) -> Any:
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
            out[name] = _plain(value, _location_join(loc, name), depth + 1, found)
        return out
    if isinstance(node, (list, tuple)):
        return [_plain(v, f"{loc}[{i}]", depth + 1, found) for i, v in enumerate(node)]
    return str(node)  # dates, timestamps, binary and sets read from YAML tags


def _location_join(loc: str, name: str) -> str:
    return f"{loc}.{name}" if loc else name


# --- schema errors in the author's words ----------------------------------------------------


def _location(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    validator = jsonschema.Draft202012Validator(rubric_schema())
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
    if kind == "pattern" and "propertyNames" in error.absolute_schema_path:
        return [
            (
                loc,
                _("level key %(key)s is not a level value (a number)")
                % {"key": repr(error.instance)},
            )
        ]
    if kind == "pattern":
        field = path[-1] if path else ""
        if field == "slug":
            return [(loc, _("must be lowercase letters and digits, separated by single hyphens"))]
        if field == "version":
            return [(loc, _("must be letters, digits, dots, hyphens or underscores"))]
        if field == "code":
            return [(loc, _("must be letters, digits, dots, hyphens or underscores"))]
        return [(loc, _("does not match %(pattern)s") % {"pattern": error.validator_value})]
    return [(loc, error.message)]


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


def _semantic_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    values = [_number(level["value"]) for level in doc["scale"]]
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            problems.append((f"scale[{i}].value", _("level values must increase strictly")))
    top = max(values)
    aggregate = doc.get("aggregate", "domains")

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
        if aggregate != "criteria":
            problems.append(
                ("aggregate", _("point thresholds (min_points) need aggregate: criteria"))
            )
        if len(kinds) > 1:
            problems.append(("pass", _("bands and pass must use the same kind of threshold")))
    if "critical_min_value" in rule and _number(rule["critical_min_value"]) not in values:
        problems.append(("pass.critical_min_value", _("must be one of the scale's level values")))

    domain_codes: dict[str, str] = {}
    criterion_codes: dict[str, str] = {}
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
        for j, criterion in enumerate(domain["criteria"]):
            cwhere = f"{where}.criteria[{j}]"
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
                            (
                                f"{cwhere}.{key}.{level_key}",
                                _("the top level needs no recommendation"),
                            )
                        )
    return problems


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


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and canonicalise so that equal meaning gives equal content hashes."""
    top = max(canonical_number(level["value"]) for level in doc["scale"])

    def optional_text(source: dict[str, Any], key: str) -> dict[str, str]:
        return _text(source[key]) if key in source else {}

    def level_texts(source: dict[str, Any] | None) -> dict[str, dict[str, str]]:
        items = sorted((source or {}).items(), key=lambda kv: Decimal(kv[0]))
        return {k: _text(v) for k, v in items}

    out: dict[str, Any] = {
        "slug": doc["slug"],
        "version": doc["version"],
        "title": _text(doc["title"]),
        "description": optional_text(doc, "description"),
        "aggregate": doc.get("aggregate", "domains"),
        # Only when not the default: documents stored before the field existed keep their hash.
        **({"level": doc["level"]} if doc.get("level", "institution") != "institution" else {}),
        "scale": [
            {
                "value": canonical_number(level["value"]),
                "label": _text(level["label"]),
                "description": optional_text(level, "description"),
            }
            for level in doc["scale"]
        ],
        "bands": [
            {
                **(
                    {"min_points": canonical_number(b["min_points"])}
                    if "min_points" in b
                    else {"min": canonical_number(b["min"])}
                ),
                "label": _text(b["label"]),
                "description": optional_text(b, "description"),
                # Only when set: documents stored before the field existed keep their hash.
                **({"requires_pass": True} if b.get("requires_pass") else {}),
            }
            for b in doc.get("bands") or []
        ],
        "domains": [
            {
                "code": d["code"],
                "title": _text(d["title"]),
                "description": optional_text(d, "description"),
                "weight": canonical_number(d.get("weight", 1)),
                "criteria": [
                    {
                        "code": c["code"],
                        "text": _text(c["text"]),
                        "guidance": optional_text(c, "guidance"),
                        "weight": canonical_number(c.get("weight", 1)),
                        "critical": bool(c.get("critical", False)),
                        "allow_na": bool(c.get("allow_na", False)),
                        "descriptors": level_texts(c.get("descriptors")),
                        "recommendations": level_texts(c.get("recommendations")),
                    }
                    for c in d["criteria"]
                ],
            }
            for d in doc["domains"]
        ],
    }
    if doc.get("pass"):
        rule = doc["pass"]
        out["pass"] = {
            **(
                {"min_points": canonical_number(rule["min_points"])}
                if "min_points" in rule
                else {"min_score": canonical_number(rule["min_score"])}
            ),
            "critical_min_value": canonical_number(rule.get("critical_min_value", top)),
        }
    return out


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
