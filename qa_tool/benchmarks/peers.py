"""The pool of peers: institutions with a counted score summary, live or frozen in a release.

Each pool is read with at most two queries whatever its size: one for the summaries with
their institutions, one for the domain scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet

from qa_tool.assessments.models import Assessment

from .models import BenchmarkRelease, DomainScore, ReleasedScore, ScoreSummary

#: The assessment id of an institution's roll-up peer (programme or course rubrics): no one
#: assessment stands for the institution, in live pools, releases and stored figures alike.
ROLLUP_ASSESSMENT = 0


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


def as_fraction(value: Any) -> Fraction | None:
    return None if value is None else Fraction(value)


def counted_summaries(*, rubric_version_id: int, cycle_id: int) -> QuerySet[ScoreSummary]:
    """The counted summaries of institutions' own assessments of this version and cycle."""
    return ScoreSummary.objects.filter(
        counts=True,
        assessment__rubric_version_id=rubric_version_id,
        assessment__cycle_id=cycle_id,
        assessment__subject__isnull=True,
    )


PEER_FIELDS = (
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


def peers_of(
    rows: list[dict[str, Any]], scores: dict[int, dict[str, Fraction | None]]
) -> list[Peer]:
    """Peers from summary rows (``PEER_FIELDS``) and their domain scores by summary id."""
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
            overall=as_fraction(r["overall"]),
            domains=scores.get(r["pk"], {}),
        )
        for r in rows
    ]


def domain_scores(summaries: Any) -> dict[int, dict[str, Fraction | None]]:
    """Domain scores by summary id, for a queryset of summaries or a list of their ids."""
    scores: dict[int, dict[str, Fraction | None]] = {}
    for summary_id, code, score in DomainScore.objects.filter(summary__in=summaries).values_list(
        "summary_id", "code", "score"
    ):
        scores.setdefault(summary_id, {})[code] = as_fraction(score)
    return scores


def peer_pool(*, rubric_version_id: int, cycle_id: int) -> list[Peer]:
    """Every institution with a counted summary for this rubric version and cycle."""
    summaries = counted_summaries(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
    # A subquery rather than a list of ids: the pool may hold thousands of institutions.
    return peers_of(list(summaries.values(*PEER_FIELDS)), domain_scores(summaries))


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
            overall=as_fraction(r["overall"]),
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


def own_peer(pool: list[Peer], assessment: Assessment) -> Peer | None:
    return next((p for p in pool if p.assessment_id == assessment.pk), None)


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


@dataclass(frozen=True)
class ComparisonExtras:
    """What the comparison export adds to its rows: each assessment's status, and each
    institution's overall score in the previous cycle (``previous_cycle``; "" if none)."""

    statuses: dict[int, str]  # assessment id -> status
    previous_cycle: str
    previous_overall: dict[int, Fraction | None]  # institution id -> overall score


def comparison_extras(*, rubric_version: Any, cycle: Any) -> ComparisonExtras:
    """Three queries whatever the number of institutions.

    The previous cycle is the latest one before ``cycle`` (cycles order by name) in which
    any institution has a counted score for the same rubric, in any version: a change
    across versions is still the institution's change, as in its trend chart.
    """
    statuses = dict(
        Assessment.objects.filter(
            rubric_version=rubric_version, cycle=cycle, subject__isnull=True
        ).values_list("pk", "status")
    )
    earlier = ScoreSummary.objects.filter(
        counts=True,
        assessment__rubric_version__rubric_id=rubric_version.rubric_id,
        assessment__subject__isnull=True,
        assessment__cycle__name__lt=cycle.name,
    )
    previous = (
        earlier.order_by("-assessment__cycle__name")
        .values_list("assessment__cycle__name", flat=True)
        .first()
    )
    overall: dict[int, Fraction | None] = {}
    if previous is not None:
        for institution_id, score in earlier.filter(assessment__cycle__name=previous).values_list(
            "assessment__institution_id", "overall"
        ):
            overall[institution_id] = as_fraction(score)
    return ComparisonExtras(
        statuses=statuses, previous_cycle=previous or "", previous_overall=overall
    )
