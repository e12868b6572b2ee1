"""Peer groups and their figures, read from stored score summaries.

A peer group is a fixed filter over the institutions that have a submitted or
validated assessment of the same rubric version in the same cycle: all, same
region, same country, same type, same size band, and the most similar
institutions. Institution users never see names or single scores, and only
groups with at least ``BENCHMARK_MIN_GROUP`` institutions besides their own.
Filters cannot be combined, and groups are withheld, the most specific first,
until no adding and subtracting of the shown groups' totals isolates fewer than
that many institutions (see ``disclosure.py``); then the same again for each
figure over the peers that answered it, and of each figure only the statistics
that are not one institution's score (``disclosure.disclosable``).

Institution users read a published release (``BenchmarkRelease``), never the
live pool: figures that move with every submission can be subtracted over time.

Each page reads the pool with two queries whatever its size: one for the
summaries with their institutions, one for the domain scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment
from qa_tool.institutions.models import SizeBand

from .audience import Audience
from .disclosure import QUANTILE_MINIMUM, disclosable, smallest_disclosure
from .models import BenchmarkRelease, DomainScore, ReleasedScore, ScoreSummary
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

# One wording for every group or figure held back from institution users: a reason that
# said "fewer than 5" or "no other institution yet" would itself tell how many submitted.
WITHHELD = _("Withheld to keep other institutions' scores confidential.")
EXTREMES_WITHHELD = _("Minimum and maximum are single institutions' scores and are never shown.")
QUANTILES_WITHHELD = _("The median and quartiles are shown from %(minimum)s institutions up.")


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
    """One group's statistics for one measure (overall or a domain).

    Statistics an audience may not see are ``None`` in ``summary`` (and ``rank``), named
    in ``withheld`` with the reason; a figure withheld whole has ``n == 0`` and ``reason``.
    """

    summary: Summary
    rank: Fraction | None  # the institution's percentile rank among the peers
    withheld: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def shown(self) -> bool:
        return bool(self.summary.n)


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
    # Measures ("overall" or a domain code) withheld whole for institution users.
    withheld_measures: set[str] = field(default_factory=set)

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


def latest_release(*, rubric_version_id: int, cycle_id: int) -> BenchmarkRelease | None:
    return (
        BenchmarkRelease.objects.filter(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
        .order_by("-published_at", "-pk")
        .first()
    )


def release_pool(release: BenchmarkRelease) -> list[Peer]:
    """The peers as frozen in ``release``: one query whatever its size."""
    rows = ReleasedScore.objects.filter(release=release).values(
        "pk",
        "assessment_id",
        "overall",
        "domains",
        "country",
        "region",
        "type",
        "size_band",
        "delivery_mode",
        "institution_id",
        "institution__code",
        "institution__name",
    )
    return [
        Peer(
            institution_id=r["institution_id"],
            assessment_id=r["assessment_id"],
            summary_id=r["pk"],
            code=r["institution__code"],
            name=r["institution__name"],
            country=r["country"],
            region=r["region"],
            type=r["type"],
            size_band=r["size_band"],
            delivery_mode=r["delivery_mode"],
            overall=_fraction(r["overall"]),
            domains={
                code: None if score is None else Fraction(score)
                for code, score in r["domains"].items()
            },
        )
        for r in rows
    ]


def _released_form(peer: Peer) -> tuple:
    return (
        peer.assessment_id,
        peer.overall,
        sorted(peer.domains.items()),
        str(peer.country),
        peer.region,
        peer.type,
        peer.size_band,
        peer.delivery_mode or "",
    )


def release_changes(*, live: list[Peer], released: list[Peer]) -> int:
    """How many institutions a new release would show differently from ``released``:
    added, removed, re-scored or moved to other groups.

    Two releases are two views to subtract: when only one or two institutions changed,
    the difference between them is those institutions' scores.
    """
    before = {p.institution_id: _released_form(p) for p in released}
    after = {p.institution_id: _released_form(p) for p in live}
    return sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))


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


def _figures(
    values: Iterable[Fraction | None], own: Fraction | None, *, anonymous: bool, minimum: int
) -> Figures:
    present = [v for v in values if v is not None]
    summary = summarise(present)
    rank = percentile_rank(present, own) if own is not None and present else None
    if not anonymous:
        return Figures(summary=summary, rank=rank)
    allowed = disclosable(summary.n, minimum)
    if not allowed:
        return Figures(summary=summarise([]), rank=None, reason=str(WITHHELD))
    withheld = {
        name: str(EXTREMES_WITHHELD)
        if name in ("min", "max")
        else str(QUANTILES_WITHHELD % {"minimum": max(minimum, QUANTILE_MINIMUM)})
        for name in ("median", "p25", "p75", "min", "max")
        if name not in allowed
    }
    return Figures(
        summary=replace(summary, **dict.fromkeys(withheld)),
        rank=rank if "rank" in allowed else None,
        withheld=withheld,
    )


def _measure(peer: Peer, measure: str) -> Fraction | None:
    return peer.overall if measure == "overall" else peer.domains.get(measure)


def peer_groups(
    *,
    institution: Any,
    own: Peer | None,
    pool: list[Peer],
    domain_codes: list[str],
    anonymous: bool = True,
    profile: Any = None,
) -> list[GroupFigures]:
    """The fixed peer groups of ``institution`` with their figures.

    With ``anonymous`` (institution users) a group is shown only when it has at
    least BENCHMARK_MIN_GROUP peers besides the institution itself and passes the
    differencing rule, and then each figure (overall, each domain) again on its own:
    a domain answered by fewer peers, or whose answering peers the shown groups would
    let be subtracted down below the minimum, is withheld, and of the figures shown
    only n, mean, percentile rank and (from ``QUANTILE_MINIMUM`` peers) median and
    quartiles. Reviewers see every group and figure.

    ``profile`` is what decides membership (region, type, ...), defaulting to
    ``institution``; a frozen release passes the institution's frozen fields.
    """
    minimum = settings.BENCHMARK_MIN_GROUP
    profile = institution if profile is None else profile
    others = [p for p in pool if p.institution_id != institution.pk]
    groups = []
    for key in GROUPS:
        members = _members(key, profile, others)
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
            if not group.shown:
                group.reason = str(WITHHELD)
        _withhold_differences(groups, minimum)
        for measure in ["overall", *domain_codes]:
            _withhold_figure_differences(groups, measure, minimum)
    own_domains = own.domains if own else {}
    for group in groups:
        if not group.shown:
            continue
        withheld = Figures(summary=summarise([]), rank=None, reason=str(WITHHELD))
        group.overall = (
            withheld
            if "overall" in group.withheld_measures
            else _figures(
                (p.overall for p in group.peers),
                own.overall if own else None,
                anonymous=anonymous,
                minimum=minimum,
            )
        )
        group.domains = {
            code: withheld
            if code in group.withheld_measures
            else _figures(
                (p.domains.get(code) for p in group.peers),
                own_domains.get(code),
                anonymous=anonymous,
                minimum=minimum,
            )
            for code in domain_codes
        }
    return groups


def _victim(involved: list[GroupFigures], sizes: dict[str, int]) -> GroupFigures:
    # Keep the broadest groups: withhold the smallest one involved ("all" last).
    return min(involved, key=lambda g: (g.key == "all", sizes[g.key], -GROUPS.index(g.key)))


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
        victim = _victim(involved, {g.key: g.n for g in involved})
        victim.shown = False
        victim.reason = str(WITHHELD)


def _withhold_figure_differences(groups: list[GroupFigures], measure: str, minimum: int) -> None:
    """The group rule again for one measure, over the peers that have a score for it.

    Peers without a score (an all-N/A domain) shrink that figure's n below the group's:
    the domain can be answered by too few, or two groups that differ safely can differ
    by too few answerers of one domain.
    """
    shown = [g for g in groups if g.shown]
    answering = {
        g.key: frozenset(p.institution_id for p in g.peers if _measure(p, measure) is not None)
        for g in shown
    }
    if all(len(answering[g.key]) == g.n for g in shown):
        return  # same sets as the groups themselves, already checked
    while True:
        kept = [g for g in shown if measure not in g.withheld_measures and answering[g.key]]
        found = smallest_disclosure([answering[g.key] for g in kept], minimum)
        if found is None:
            return
        coefficients, _disclosed = found
        involved = [g for g, c in zip(kept, coefficients, strict=True) if c]
        victim = _victim(involved, {g.key: len(answering[g.key]) for g in involved})
        victim.withheld_measures.add(measure)


def own_peer(pool: list[Peer], assessment: Assessment) -> Peer | None:
    return next((p for p in pool if p.assessment_id == assessment.pk), None)


def benchmarks_allowed(audience: Audience, counted: bool) -> bool:
    """Give to get: institution people see peers once their own assessment counts
    (submitted or validated); the centre always."""
    return audience.is_centre or counted


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
