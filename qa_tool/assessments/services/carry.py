"""Carrying justifications and evidence links over through a crosswalk.

When an institution starts an assessment of a rubric that some crosswalk targets, the
officer may ask to pre-fill it from the institution's latest assessment of a linked source
rubric: each target criterion receives the justifications and links of its linked source
criteria. Levels are never carried over (a level is a judgement against this rubric's
descriptors), nor is anything the officer has already typed replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qa_tool.core import bounds
from rubrics.i18n import localize
from rubrics.models import Crosswalk

from ..audit import CROSSWALK, Action, record
from ..evidence import invalid_links
from ..models import Assessment, Response
from .answers import AnswerInput, assessment_save_answers


@dataclass
class CarryOutcome:
    """What was carried over: from which assessment, into which target criteria."""

    source: Assessment | None = None
    criteria: list[str] = field(default_factory=list)


def carry_over_source(assessment: Assessment) -> tuple[Assessment, Crosswalk] | None:
    """The institution's latest assessment (most recently changed) of a rubric version that a
    crosswalk links to this assessment's version, with that crosswalk; None if there is none.

    For a programme or course rubric read from a rubric of the same level, only assessments
    of the same subject count."""
    version = assessment.rubric_version
    crosswalks = list(Crosswalk.objects.filter(target=version).select_related("source__rubric"))
    if not crosswalks:
        return None
    which = Q()
    for crosswalk in crosswalks:
        same_subject = version.is_unit_level and crosswalk.source.level == version.level
        which |= Q(rubric_version=crosswalk.source) & (
            Q(subject=assessment.subject) if same_subject else Q()
        )
    source = (
        Assessment.objects.filter(which, institution=assessment.institution)
        .exclude(pk=assessment.pk)
        .select_related("cycle", "subject", "rubric_version__rubric")
        .order_by("-updated_at", "-pk")
        .first()
    )
    if source is None:
        return None
    crosswalk = next(c for c in crosswalks if c.source_id == source.rubric_version_id)
    return source, crosswalk


def _joined(parts: list[str], limit: int, separator: str) -> str:
    """As many whole parts as fit within ``limit``, joined by ``separator``."""
    text = ""
    for part in parts:
        candidate = f"{text}{separator}{part}" if text else part
        if len(candidate) > limit:
            break
        text = candidate
    return text


def _carried(
    crosswalk: Crosswalk, responses: dict[str, Response]
) -> dict[str, tuple[str, str, list[str]]]:
    """Per target criterion: (justification, links, source codes that gave something)."""
    sources_of: dict[str, list[str]] = {}
    for link in crosswalk.links:
        codes = sources_of.setdefault(link["target"], [])
        codes.extend(code for code in link["source"] if code not in codes)
    carried = {}
    for target, codes in sources_of.items():
        given = [
            code
            for code in codes
            if code in responses
            and (responses[code].justification.strip() or responses[code].links)
        ]
        if not given:
            continue
        several = len(given) > 1
        texts = [
            f"{code}: {text}" if several else text
            for code in given
            if (text := responses[code].justification.strip())
        ]
        # Links as typed may not have been checked yet (they are when the officer moves on).
        links = list(
            dict.fromkeys(
                link for code in given for link in responses[code].links if not invalid_links(link)
            )
        )
        carried[target] = (
            _joined(texts, bounds.JUSTIFICATION_MAX, "\n\n"),
            _joined(links, bounds.LINKS_MAX, "\n"),
            given,
        )
    return carried


def assessment_carry_over(
    *, assessment: Assessment, actor: Any = None, source: str = CROSSWALK
) -> CarryOutcome:
    """Pre-fill the justifications and evidence links of ``assessment`` from the institution's
    latest assessment of a linked source rubric (see ``carry_over_source``).

    Only criteria with neither a justification nor links yet are filled; levels are never
    touched. Each filled criterion remembers where its text came from (``carried_from``,
    shown in the wizard), and the audit trail records every field written (source
    ``crosswalk``) and one note naming the source assessment."""
    found = carry_over_source(assessment)
    if found is None:
        return CarryOutcome()
    origin, crosswalk = found
    source_responses = {
        r.criterion.code: r
        for r in Response.objects.filter(assessment=origin).select_related("criterion")
    }
    carried = _carried(crosswalk, source_responses)
    own = {
        r.criterion.code: r
        for r in Response.objects.filter(assessment=assessment).select_related("criterion")
    }
    carried = {
        code: item
        for code, item in carried.items()
        if code not in own or not (own[code].justification.strip() or own[code].evidence_links)
    }
    if not carried:
        return CarryOutcome(source=origin)
    version = origin.rubric_version
    with transaction.atomic():
        assessment_save_answers(
            assessment=assessment,
            answers={
                code: AnswerInput(justification=text, links=links)
                for code, (text, links, _codes) in carried.items()
            },
            actor=actor,
            source=source,
            # Only these two fields: the level stays as it is (never carried over).
            changed_fields={code: {"justification", "links"} for code in carried},
        )
        rows = list(
            Response.objects.filter(
                assessment=assessment, criterion__code__in=list(carried)
            ).select_related("criterion")
        )
        for row in rows:
            row.carried_from = {
                "rubric": version.rubric.slug,
                "version": version.version,
                "title": version.title,
                "criteria": carried[row.criterion.code][2],
                "assessment": origin.pk,
                "cycle": origin.cycle.name,
                "subject": origin.subject_code,
            }
        Response.objects.bulk_update(rows, ["carried_from"])
        record(
            Action.ANSWER,
            assessment=assessment,
            actor=actor,
            source=source,
            comment=_(
                "Justifications and evidence links of %(count)s criteria carried over from "
                "%(rubric)s %(version)s (assessment %(assessment)s, cycle %(cycle)s); "
                "levels were not carried over."
            )
            % {
                "count": len(carried),
                "rubric": localize(version.title, get_language()) or version.rubric.slug,
                "version": version.version,
                "assessment": origin.pk,
                "cycle": origin.cycle.name,
            },
        )
    return CarryOutcome(source=origin, criteria=sorted(carried))
