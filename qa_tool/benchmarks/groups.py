"""Peer groups and their figures, with the disclosure rules for institution users.

See ``selectors`` for the rules; ``disclosure.py`` for the differencing check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qa_tool.institutions.models import SizeBand

from .audience import Audience
from .disclosure import QUANTILE_MINIMUM, disclosable, smallest_disclosure
from .peers import Peer
from .statistics import Summary, summarise, summarise_with_rank

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
    summary, rank = summarise_with_rank((v for v in values if v is not None), own)
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
    groups = [
        _group(key, institution, _members(key, profile, others), anonymous, minimum)
        for key in GROUPS
    ]
    if anonymous:
        _withhold(groups, domain_codes, minimum)
    for group in groups:
        if group.shown:
            _fill_figures(group, own, domain_codes, anonymous=anonymous, minimum=minimum)
    return groups


def _group(
    key: str, institution: Any, members: list[Peer], anonymous: bool, minimum: int
) -> GroupFigures:
    return GroupFigures(
        key=key,
        label=str(GROUP_LABELS[key]),
        explanation=_explanation(key, institution),
        peers=members,
        shown=bool(members) and (not anonymous or len(members) >= minimum),
    )


def _withhold(groups: list[GroupFigures], domain_codes: list[str], minimum: int) -> None:
    """Apply the institution users' rules: group size, then differencing of the groups,
    then differencing of each figure over its answering peers."""
    for group in groups:
        if not group.shown:
            group.reason = str(WITHHELD)
    _withhold_differences(groups, minimum)
    for measure in ["overall", *domain_codes]:
        _withhold_figure_differences(groups, measure, minimum)


def _fill_figures(
    group: GroupFigures,
    own: Peer | None,
    domain_codes: list[str],
    *,
    anonymous: bool,
    minimum: int,
) -> None:
    withheld = Figures(summary=summarise([]), rank=None, reason=str(WITHHELD))
    own_domains = own.domains if own else {}
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


def benchmarks_allowed(audience: Audience, counted: bool) -> bool:
    """Give to get: institution people see peers once their own assessment counts
    (submitted or validated); the centre always."""
    return audience.is_centre or counted
