"""Peer groups and their figures, read from stored score summaries.

A peer group is a fixed filter over the institutions that have a submitted or
validated assessment of the same rubric version in the same cycle: all, same
region, same country, same type, same size band, and the most similar
institutions. Institution users never see names or single scores, and only
groups with at least ``BENCHMARK_MIN_GROUP`` institutions besides their own.
Filters cannot be combined, and groups are withheld, the most specific first,
until no adding and subtracting of the shown groups' totals isolates fewer than
that many institutions (see ``disclosure.py``).

Each page reads the pool with two queries whatever its size: one for the
summaries with their institutions, one for the domain scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment
from qa_tool.institutions.models import SizeBand

from .disclosure import smallest_disclosure
from .models import DomainScore, ScoreSummary
from .statistics import Summary, percentile_rank, summarise

GROUPS = ("all", "region", "country", "type", "size", "similar")
GROUP_LABELS = {
    "all": _("All institutions"),
    "region": _("Same region"),
    "country": _("Same country"),
    "type": _("Same type (public, private)"),
    "size": _("Same size"),
    "similar": _("Most similar institutions"),
}
SIZE_ORDER = [choice.value for choice in SizeBand]


@dataclass(frozen=True)
class Peer:
    institution_id: int
    assessment_id: int
    summary_id: int
    code: str
    name: str
    country: str
    region: str
    type: str
    size_band: str
    delivery_mode: str
    overall: Fraction | None
    domains: dict[str, Fraction | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    """One group's statistics for one measure (overall or a domain)."""

    summary: Summary
    rank: Fraction | None  # the institution's percentile rank among the peers


@dataclass
class GroupFigures:
    key: str
    label: str
    explanation: str
    peers: list[Peer]
    shown: bool
    reason: str = ""
    overall: Figures | None = None
    domains: dict[str, Figures] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.peers)


def _fraction(value: Any) -> Fraction | None:
    return None if value is None else Fraction(value)


def peer_pool(*, rubric_version_id: int, cycle_id: int) -> list[Peer]:
    """Every institution with a counted summary for this rubric version and cycle."""
    summaries = ScoreSummary.objects.filter(
        counts=True,
        assessment__rubric_version_id=rubric_version_id,
        assessment__cycle_id=cycle_id,
        assessment__subject__isnull=True,
    )
    rows = list(
        summaries.values(
            "pk",
            "assessment_id",
            "overall",
            "assessment__institution_id",
            "assessment__institution__code",
            "assessment__institution__name",
            "assessment__institution__country",
            "assessment__institution__region",
            "assessment__institution__type",
            "assessment__institution__size_band",
            "assessment__institution__delivery_mode",
        )
    )
    scores: dict[int, dict[str, Fraction | None]] = {}
    # A subquery rather than a list of ids: the pool may hold thousands of institutions.
    for summary_id, code, score in DomainScore.objects.filter(summary__in=summaries).values_list(
        "summary_id", "code", "score"
    ):
        scores.setdefault(summary_id, {})[code] = _fraction(score)
    return [
        Peer(
            institution_id=r["assessment__institution_id"],
            assessment_id=r["assessment_id"],
            summary_id=r["pk"],
            code=r["assessment__institution__code"],
            name=r["assessment__institution__name"],
            country=r["assessment__institution__country"],
            region=r["assessment__institution__region"],
            type=r["assessment__institution__type"],
            size_band=r["assessment__institution__size_band"],
            delivery_mode=r["assessment__institution__delivery_mode"],
            overall=_fraction(r["overall"]),
            domains=scores.get(r["pk"], {}),
        )
        for r in rows
    ]


def similarity_distance(a: Any, b: Any) -> float:
    """Distance between two institutions over normalised structural fields.

    Size band is ordinal (small < medium < large < very large), scaled to 0..1;
    type, region, country and delivery mode count 0 when equal and 1 when not.
    The distance is the Euclidean norm of these five differences.
    """

    def size_index(value: str) -> float:
        return SIZE_ORDER.index(value) / (len(SIZE_ORDER) - 1) if value in SIZE_ORDER else 0.5

    parts = [
        size_index(a.size_band) - size_index(b.size_band),
        float(a.type != b.type),
        float(a.region != b.region),
        float(str(a.country) != str(b.country)),
        float((a.delivery_mode or "") != (b.delivery_mode or "")),
    ]
    return math.sqrt(sum(p * p for p in parts))


def _members(key: str, institution: Any, others: list[Peer]) -> list[Peer]:
    if key == "all":
        return others
    if key == "region":
        return [p for p in others if p.region == institution.region]
    if key == "country":
        return [p for p in others if p.country == str(institution.country)]
    if key == "type":
        return [p for p in others if p.type == institution.type]
    if key == "size":
        return [p for p in others if p.size_band == institution.size_band]
    if key == "similar":
        k = max(settings.BENCHMARK_SIMILAR_K, settings.BENCHMARK_MIN_GROUP)
        ranked = sorted(others, key=lambda p: (similarity_distance(institution, p), p.code))
        return ranked[:k]
    raise ValueError(key)


def _explanation(key: str, institution: Any) -> str:
    if key == "region":
        return str(institution.get_region_display())
    if key == "country":
        return str(institution.country.name)
    if key == "type":
        return str(institution.get_type_display())
    if key == "size":
        return str(institution.get_size_band_display())
    if key == "similar":
        return str(
            _(
                "The institutions closest to yours by size, type, region, country and delivery "
                "mode (each difference counts equally; size by steps of its band)."
            )
        )
    return ""


def _figures(values: Iterable[Fraction | None], own: Fraction | None) -> Figures:
    present = [v for v in values if v is not None]
    return Figures(
        summary=summarise(present),
        rank=percentile_rank(present, own) if own is not None and present else None,
    )


def peer_groups(
    *,
    institution: Any,
    own: Peer | None,
    pool: list[Peer],
    domain_codes: list[str],
    anonymous: bool = True,
) -> list[GroupFigures]:
    """The fixed peer groups of ``institution`` with their figures.

    With ``anonymous`` (institution users) a group is shown only when it has at
    least BENCHMARK_MIN_GROUP peers besides the institution itself and passes the
    differencing rule; reviewers see every group.
    """
    minimum = settings.BENCHMARK_MIN_GROUP
    others = [p for p in pool if p.institution_id != institution.pk]
    groups = []
    for key in GROUPS:
        members = _members(key, institution, others)
        groups.append(
            GroupFigures(
                key=key,
                label=str(GROUP_LABELS[key]),
                explanation=_explanation(key, institution),
                peers=members,
                shown=bool(members) and (not anonymous or len(members) >= minimum),
            )
        )
    if anonymous:
        for group in groups:
            if not group.shown and group.peers:
                group.reason = str(
                    _("Not enough peers: fewer than %(minimum)s other institutions.")
                    % {"minimum": minimum}
                )
            elif not group.peers:
                group.reason = str(_("No other institution in this group has submitted yet."))
        _withhold_differences(groups, minimum)
    own_domains = own.domains if own else {}
    for group in groups:
        if not group.shown:
            continue
        group.overall = _figures((p.overall for p in group.peers), own.overall if own else None)
        group.domains = {
            code: _figures((p.domains.get(code) for p in group.peers), own_domains.get(code))
            for code in domain_codes
        }
    return groups


def _withhold_differences(groups: list[GroupFigures], minimum: int) -> None:
    """Withhold groups, the most specific first, until no adding and subtracting of the
    shown groups' totals isolates fewer than ``minimum`` institutions."""
    while True:
        shown = [g for g in groups if g.shown]
        found = smallest_disclosure(
            [frozenset(p.institution_id for p in g.peers) for g in shown], minimum
        )
        if found is None:
            return
        coefficients, _disclosed = found
        involved = [g for g, c in zip(shown, coefficients, strict=True) if c]
        # Keep the broadest groups: withhold the smallest one involved ("all" last).
        victim = min(involved, key=lambda g: (g.key == "all", g.n, -GROUPS.index(g.key)))
        others = [g.label for g in involved if g is not victim]
        victim.shown = False
        victim.reason = str(
            _(
                "Withheld: together with %(groups)s it would reveal fewer than %(minimum)s "
                "institutions."
            )
            % {"groups": ", ".join(f"“{label}”" for label in others), "minimum": minimum}
        )


def own_peer(pool: list[Peer], assessment: Assessment) -> Peer | None:
    return next((p for p in pool if p.assessment_id == assessment.pk), None)


def benchmarks_allowed(user: Any, assessment: Assessment, own: Peer | None) -> bool:
    """Give to get: institution people see peers once their own assessment is submitted."""
    return bool(user.sees_all_institutions or own is not None)


# --- trends -----------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    cycle: str
    version: str
    status: str
    assessment_id: int
    overall: Fraction | None
    domains: dict[str, Fraction | None]


@dataclass
class Trend:
    points: list[TrendPoint]
    domain_codes: list[str]
    changed: dict[str, list[str]]  # domain code -> cycles where its definition changed


def _domain_signature(content: dict[str, Any], code: str) -> tuple | None:
    for domain in content["domains"]:
        if domain["code"] == code:
            return (
                domain["weight"],
                tuple((c["code"], c["weight"], c["critical"]) for c in domain["criteria"]),
                tuple(level["value"] for level in content["scale"]),
            )
    return None


def institution_trend(*, assessment: Assessment) -> Trend:
    """The institution's scores across cycles for the same rubric slug (any version).

    Domains are matched by code. A domain whose definition (weight, criteria,
    scale) differs from the previous cycle's version is reported as changed.
    """
    summaries = list(
        ScoreSummary.objects.filter(
            assessment__institution_id=assessment.institution_id,
            assessment__rubric_version__rubric_id=assessment.rubric_version.rubric_id,
            assessment__subject_id=assessment.subject_id,
        )
        .select_related("assessment__cycle", "assessment__rubric_version")
        .prefetch_related("domains")
        .order_by("assessment__cycle__name")
    )
    points, changed = [], {}
    codes: list[str] = [d["code"] for d in assessment.rubric_version.content["domains"]]
    previous_content = None
    for summary in summaries:
        a = summary.assessment
        content = a.rubric_version.content
        domains = {d.code: _fraction(d.score) for d in summary.domains.all()}
        for code in domains:
            if code not in codes:
                codes.append(code)
            if previous_content is not None and _domain_signature(
                content, code
            ) != _domain_signature(previous_content, code):
                changed.setdefault(code, []).append(a.cycle.name)
        points.append(
            TrendPoint(
                cycle=a.cycle.name,
                version=a.rubric_version.version,
                status=a.status,
                assessment_id=a.pk,
                overall=_fraction(summary.overall),
                domains=domains,
            )
        )
        previous_content = content
    return Trend(points=points, domain_codes=codes, changed=changed)


def comparison_rows(
    pool: list[Peer], *, region: str = "", country: str = "", type: str = "", size: str = ""
) -> list[Peer]:
    """The reviewer's comparison: the pool narrowed by any of the structural filters."""
    return [
        p
        for p in pool
        if (not region or p.region == region)
        and (not country or p.country == country)
        and (not type or p.type == type)
        and (not size or p.size_band == size)
    ]
