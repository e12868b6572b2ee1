"""A small pair of rubrics and a crosswalk between them, for the crosswalk tests.

Source: the factories' test rubric (C1..C5). Target: ``target-rubric`` 1 with T1..T4.
Links: C1+C2 -> T1 full, C3 -> T1 partial, C4 -> T2 partial, C1+C5 -> T3 full; T4 unlinked.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from rubrics.models import Crosswalk, RubricVersion
from rubrics.services import crosswalk_import

from .factories import import_doc, rubric_doc, text


def target_doc(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"slug": "target-rubric", "title": text("Target framework")}
    fields.update(overrides)
    return rubric_doc(
        domains=[
            {
                "code": "TD1",
                "title": "Target domain one",
                "criteria": [
                    {"code": "T1", "text": "Target one"},
                    {"code": "T2", "text": "Target two"},
                ],
            },
            {
                "code": "TD2",
                "title": "Target domain two",
                "criteria": [
                    {"code": "T3", "text": "Target three"},
                    {"code": "T4", "text": "Target four"},
                ],
            },
        ],
        **fields,
    )


def import_target(**overrides: Any) -> RubricVersion:
    return import_doc(target_doc(**overrides))


def crosswalk_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "title": "Test rubric read through the target",
        "source": {"slug": "test-rubric", "version": "1"},
        "target": {"slug": "target-rubric", "version": "1"},
        "links": [
            {"source": ["C1", "C2"], "target": "T1", "strength": "full"},
            {"source": "C3", "target": "T1", "strength": "partial"},
            {
                "source": "C4",
                "target": "T2",
                "strength": "partial",
                "note": {"en": "Only part of T2", "fr": "Une partie de T2"},
            },
            {"source": ["C1", "C5"], "target": "T3", "strength": "full"},
        ],
    }
    doc.update(overrides)
    return copy.deepcopy(doc)


def import_crosswalk(doc: dict[str, Any] | None = None, name: str = "cw.yaml") -> Crosswalk:
    content = yaml.safe_dump(doc or crosswalk_doc(), allow_unicode=True).encode()
    return crosswalk_import(name=name, content=content).crosswalk
