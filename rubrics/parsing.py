"""Reading rubric files: bytes to plain data (YAML or JSON), refusing hostile input.

Aliases and anchors (a "billion laughs" file expands a few hundred bytes to gigabytes),
tags, deep nesting, duplicate keys and numbers beyond the bounds are refused here, each
with its line, before anything is built.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.utils.translation import gettext as _
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node
from yaml.resolver import Resolver

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem, Refusal

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
