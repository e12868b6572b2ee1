"""Reading an assessment through a crosswalk: for each criterion of the target framework,
the linked criteria of the assessment's own rubric with their headline levels and evidence,
and how much of the target framework is covered (``rubrics.readthrough``).

A fixed number of queries whatever the number of criteria or links: the crosswalks of a
version (one), the target's criteria (one); the answers and evidence come from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from rubrics import readthrough, scoring
from rubrics.i18n import localize
from rubrics.models import Criterion, Crosswalk, RubricVersion

from .models import Evidence, Response


def crosswalks_from(version: RubricVersion) -> list[Crosswalk]:
    """Every crosswalk whose source is this rubric version, target titles loaded (one query)."""
    return list(
        Crosswalk.objects.filter(source=version)
        .select_related("target__rubric")
        .defer("target__content")
        .order_by("target__rubric__slug", "target__version", "pk")
    )


def choose_crosswalk(crosswalks: list[Crosswalk], chosen: Any) -> Crosswalk | None:
    """The crosswalk named by ``chosen`` (a crosswalk id from the page's choice), if it is one of
    ``crosswalks``; else the first, or None when there is none. Anything else posted is ignored."""
    if not crosswalks:
        return None
    text = str(chosen or "")
    if text.isdigit() and len(text) < 12:
        for crosswalk in crosswalks:
            if crosswalk.pk == int(text):
                return crosswalk
    return crosswalks[0]


@dataclass
class SourceLine:
    """A criterion of the assessment's own rubric, as a link to a target criterion reads it."""

    code: str
    text: str
    level_label: str  # the headline level: a label, "N/A", or "" when unanswered
    answered: bool
    links: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass
class LinkLine:
    strength: str  # full or partial, as the crosswalk says
    evidence: str  # what the answers give: full, partial or none (see rubrics.readthrough)
    note: str
    sources: list[SourceLine] = field(default_factory=list)


@dataclass
class TargetLine:
    code: str
    text: str
    status: str  # full, partial or none
    links: list[LinkLine] = field(default_factory=list)


@dataclass
class ReadThrough:
    crosswalk: Crosswalk
    target_title: str
    target_version: str
    coverage: readthrough.Coverage
    targets: list[TargetLine]

    @property
    def without_evidence(self) -> list[TargetLine]:
        return [t for t in self.targets if t.status == readthrough.NONE]


def _links(crosswalk: Crosswalk) -> list[readthrough.Link]:
    return [
        readthrough.Link(
            sources=tuple(link["source"]), target=link["target"], strength=link["strength"]
        )
        for link in crosswalk.links
    ]


def read_through(
    *,
    assessment: Any,
    crosswalk: Crosswalk,
    headline: scoring.Result,
    responses: dict[str, Response],
    evidence: dict[str, list[Evidence]],
    source_rows: dict[str, Criterion],
    language: str,
) -> ReadThrough:
    """The assessment's headline answers read through ``crosswalk`` (one query: the target's
    criteria). ``source_rows`` are the assessment's own criteria by code."""
    version = assessment.rubric_version
    levels = {c.code: c for c in headline.criteria}
    answered = {code for code, c in levels.items() if c.value is not None and not c.na}
    links = _links(crosswalk)
    target_rows = list(
        Criterion.objects.filter(version=crosswalk.target)
        .only("code", "text", "position")
        .order_by("position")
    )
    cover = readthrough.coverage([c.code for c in target_rows], links, answered)
    by_target: dict[str, list[LinkLine]] = {}
    for raw, link in zip(crosswalk.links, links, strict=True):
        by_target.setdefault(link.target, []).append(
            LinkLine(
                strength=link.strength,
                evidence=readthrough.link_evidence(link, answered),
                note=localize(raw.get("note"), language),
                sources=[
                    _source_line(
                        version, code, levels, responses, evidence, source_rows, answered, language
                    )
                    for code in link.sources
                ],
            )
        )
    targets = [
        TargetLine(
            code=row.code,
            text=localize(row.text, language),
            status=cover.status[row.code],
            links=by_target.get(row.code, []),
        )
        for row in target_rows
    ]
    target = crosswalk.target
    return ReadThrough(
        crosswalk=crosswalk,
        target_title=localize(target.title, language) or target.rubric.slug,
        target_version=target.version,
        coverage=cover,
        targets=targets,
    )


def _source_line(
    version: RubricVersion,
    code: str,
    levels: dict[str, Any],
    responses: dict[str, Response],
    evidence: dict[str, list[Evidence]],
    source_rows: dict[str, Criterion],
    answered: set[str],
    language: str,
) -> SourceLine:
    response = responses.get(code)
    row = source_rows.get(code)
    return SourceLine(
        code=code,
        text=localize(row.text, language) if row else "",
        level_label=_level_label(version, levels.get(code), language),
        answered=code in answered,
        links=response.links if response else [],
        files=[item.original_name for item in evidence.get(code, [])],
    )


def _level_label(version: RubricVersion, level: Any, language: str) -> str:
    if level is None:
        return ""
    if level.na:
        with translation.override(language):
            return gettext("N/A")
    return "" if level.value is None else version.level_label(level.value, language)
