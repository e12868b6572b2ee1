"""Importing rubric and crosswalk files into the database, atomically, and retiring versions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rubrics.crosswalk import CrosswalkFileError, crosswalk_hash, read_crosswalk
from rubrics.document import (
    Problem,
    RubricFileError,
    content_hash,
    file_problem,
    read_rubric,
    translation_gaps,
)
from rubrics.models import Criterion, Crosswalk, Domain, Rubric, RubricVersion

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass
class ImportOutcome:
    source: str
    slug: str
    version: str
    action: str
    rubric_version: RubricVersion
    warnings: list[str] = field(default_factory=list)


def rubric_import(*, files: list[tuple[str, bytes]], actor: Any = None) -> list[ImportOutcome]:
    """Import every file or none.

    Each file is (name, bytes). All files are read and validated before the
    database is touched; any problem in any file raises RubricFileError with
    every problem found, and the database is left as it was.
    """
    problems: list[Problem] = []
    documents: list[tuple[str, dict[str, Any]]] = []
    seen: dict[tuple[str, str], str] = {}
    for source, content in files:
        try:
            doc = read_rubric(content, source)
        except RubricFileError as exc:
            problems.extend(exc.problems)
            continue
        key = (doc["slug"], doc["version"])
        if key in seen:
            problems.append(
                file_problem(
                    source,
                    "version",
                    _("%(slug)s %(version)s is also in %(file)s")
                    % {"slug": key[0], "version": key[1], "file": seen[key]},
                )
            )
        seen.setdefault(key, source)
        documents.append((source, doc))
    if problems:
        raise RubricFileError(problems)

    outcomes = []
    with transaction.atomic():
        for source, doc in documents:
            outcome = _import_document(source, doc, actor)
            if isinstance(outcome, Problem):
                problems.append(outcome)
            else:
                outcomes.append(outcome)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise RubricFileError(problems)
    for outcome in outcomes:
        logger.info("rubric %s %s: %s", outcome.slug, outcome.version, outcome.action)
    return outcomes


def _import_document(source: str, doc: dict[str, Any], actor: Any) -> ImportOutcome | Problem:
    digest = content_hash(doc)
    rubric, _created = Rubric.objects.get_or_create(
        slug=doc["slug"], defaults={"title": doc["title"]}
    )
    existing = (
        RubricVersion.objects.select_for_update()
        .filter(rubric=rubric, version=doc["version"])
        .first()
    )
    warnings = translation_gaps(doc)
    if existing is not None and existing.content_hash == digest:
        return ImportOutcome(source, doc["slug"], doc["version"], UNCHANGED, existing, warnings)
    if existing is not None and existing.is_in_use():
        return file_problem(
            source,
            "version",
            _(
                "%(slug)s %(version)s is used by assessments and is frozen; "
                "give the changed rubric a new version"
            )
            % {"slug": doc["slug"], "version": doc["version"]},
        )
    rubric.title = doc["title"]
    rubric.save(update_fields=["title"])
    if existing is None:
        version = RubricVersion(rubric=rubric, version=doc["version"])
        action = CREATED
    else:
        version = existing
        version.domains.all().delete()
        action = UPDATED
    version.title = doc["title"]
    version.aggregate = doc["aggregate"]
    version.content = doc
    version.content_hash = digest
    version.imported_by = actor if getattr(actor, "pk", None) else None
    version.save()
    _create_tree(version, doc)
    return ImportOutcome(source, doc["slug"], doc["version"], action, version, warnings)


def _create_tree(version: RubricVersion, doc: dict[str, Any]) -> None:
    domains = Domain.objects.bulk_create(
        Domain(
            version=version,
            code=d["code"],
            position=i,
            title=d["title"],
            description=d["description"],
            weight=d["weight"],
        )
        for i, d in enumerate(doc["domains"])
    )
    position = 0
    criteria = []
    for domain, d in zip(domains, doc["domains"], strict=True):
        for c in d["criteria"]:
            criteria.append(
                Criterion(
                    version=version,
                    domain=domain,
                    code=c["code"],
                    position=position,
                    text=c["text"],
                    guidance=c["guidance"],
                    weight=c["weight"],
                    critical=c["critical"],
                    allow_na=c["allow_na"],
                    descriptors=c["descriptors"],
                    recommendations=c["recommendations"],
                )
            )
            position += 1
    Criterion.objects.bulk_create(criteria)


def rubric_version_set_retired(*, version: RubricVersion, retired: bool) -> RubricVersion:
    version.retired = retired
    version.save(update_fields=["retired"])
    return version


@dataclass
class CrosswalkOutcome:
    source: str
    action: str
    crosswalk: Crosswalk


def crosswalk_import(*, name: str, content: bytes, actor: Any = None) -> CrosswalkOutcome:
    """Validate one crosswalk file against the file schema and both imported rubric versions,
    and store it; the same content again changes nothing. Raises CrosswalkFileError with
    every problem found, and then nothing is saved."""
    doc = read_crosswalk(content, name)
    versions = {
        (v.rubric.slug, v.version): v
        for v in RubricVersion.objects.select_related("rubric").filter(
            rubric__slug__in={doc["source"]["slug"], doc["target"]["slug"]},
            version__in={doc["source"]["version"], doc["target"]["version"]},
        )
    }
    problems: list[Problem] = []
    sides: dict[str, RubricVersion | None] = {}
    for side in ("source", "target"):
        key = (doc[side]["slug"], doc[side]["version"])
        sides[side] = versions.get(key)
        if sides[side] is None:
            problems.append(
                file_problem(
                    name,
                    side,
                    _("rubric %(slug)s version %(version)s is not imported; import it first")
                    % {"slug": key[0], "version": key[1]},
                )
            )
    source, target = sides["source"], sides["target"]
    if problems or source is None or target is None:
        raise CrosswalkFileError(problems)
    codes = {
        version_id: set(codes)
        for version_id, codes in _codes_by_version([source.pk, target.pk]).items()
    }
    for i, link in enumerate(doc["links"]):
        for j, code in enumerate(link["source"]):
            if code not in codes.get(source.pk, set()):
                problems.append(_unknown_code(name, f"links[{i}].source[{j}]", code, source))
        if link["target"] not in codes.get(target.pk, set()):
            problems.append(_unknown_code(name, f"links[{i}].target", link["target"], target))
    if problems:
        raise CrosswalkFileError(problems)
    digest = crosswalk_hash(doc)
    with transaction.atomic():
        existing = (
            Crosswalk.objects.select_for_update().filter(source=source, target=target).first()
        )
        if existing is not None and existing.content_hash == digest:
            return CrosswalkOutcome(name, UNCHANGED, existing)
        crosswalk = existing or Crosswalk(source=source, target=target)
        crosswalk.title = doc["title"]
        crosswalk.content = doc
        crosswalk.content_hash = digest
        crosswalk.imported_by = actor if getattr(actor, "pk", None) else None
        crosswalk.save()
    action = CREATED if existing is None else UPDATED
    logger.info("crosswalk %s -> %s: %s", source, target, action)
    return CrosswalkOutcome(name, action, crosswalk)


def _codes_by_version(version_ids: list[int]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for version_id, code in Criterion.objects.filter(version_id__in=version_ids).values_list(
        "version_id", "code"
    ):
        grouped.setdefault(version_id, []).append(code)
    return grouped


def _unknown_code(name: str, where: str, code: str, version: RubricVersion) -> Problem:
    return file_problem(
        name,
        where,
        _("no criterion %(code)s in %(slug)s %(version)s")
        % {"code": code, "slug": version.rubric.slug, "version": version.version},
    )
