"""Peer groups and their figures, with the disclosure rules for institution users.

See ``selectors`` for the rules; ``disclosure.py`` for the differencing check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qa_tool.institutions.models import SizeBand

from .audience import Audience
from .disclosure import QUANTILE_MINIMUM, disclosable, smallest_disclosure
from .peers import Peer
from .statistics import SortedValues, Summary, summarise, summarise_with_rank

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
    # How many peers, when ``peers`` is not kept (figures stored with a release).
    count: int | None = None

    @property
    def n(self) -> int:
        return len(self.peers) if self.count is None else self.count


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
        k = similar_k()
        ranked = sorted(others, key=lambda p: (similarity_distance(institution, p), p.code))
        return ranked[:k]
    raise ValueError(key)


def profile_key(profile: Any) -> tuple[str, str, str, str, str]:
    """Everything group membership depends on: institutions with the same key have the same
    groups (each without itself)."""
    return (
        profile.region,
        str(profile.country),
        profile.type,
        profile.size_band,
        profile.delivery_mode or "",
    )


def similar_k() -> int:
    return max(settings.BENCHMARK_SIMILAR_K, settings.BENCHMARK_MIN_GROUP)


# The position in ``profile_key`` of the field each fixed group is cut by.
_FIELD = {"region": 0, "country": 1, "type": 2, "size": 3}


class _Base:
    """The peers of one group as cut for a profile, before the viewer leaves itself out."""

    def __init__(self, peers: list[Peer]) -> None:
        self.peers = peers
        self.ids = frozenset(p.institution_id for p in peers)
        self._sorted: dict[str, SortedValues] = {}

    def sorted_values(self, measure: str) -> SortedValues:
        if measure not in self._sorted:
            values = (_measure(p, measure) for p in self.peers)
            self._sorted[measure] = SortedValues(v for v in values if v is not None)
        return self._sorted[measure]


class PoolIndex:
    """One pool's groups by profile, shared by every institution computed from it:
    publishing a release computes the groups of thousands of institutions.

    What is shared is exact: the members (each institution then leaves itself out), the
    sorted values of each measure (the institution's own value is taken out of them),
    and the withholding, which depends on the shape of the groups only (see ``_shape``).
    """

    def __init__(self, pool: list[Peer]) -> None:
        self.pool = pool
        self._keys = [profile_key(p) for p in pool]
        self.peer_of = {p.institution_id: p for p in pool}
        self._ranked: dict[tuple[str, ...], list[Peer]] = {}
        self._bases: dict[tuple[Any, ...], _Base] = {}
        self.withheld: dict[tuple[Any, ...], list[tuple[bool, str, set[str]]]] = {}

    def base(self, key: str, profile: Any, exclude: int) -> _Base:
        """The group ``key`` of ``profile`` that institution ``exclude`` leaves itself out
        of: for "similar", the k nearest, or the k + 1 nearest when it is among the k."""
        cut = profile_key(profile)
        if key != "similar":
            # Each fixed group depends on one field of the profile (all on none).
            cache_key: tuple[Any, ...] = (key, cut[_FIELD[key]] if key in _FIELD else "")
            if cache_key not in self._bases:
                self._bases[cache_key] = _Base(_members(key, profile, self.pool))
            return self._bases[cache_key]
        ranked = self._ranked_for(profile, cut)
        k = similar_k()
        among = any(p.institution_id == exclude for p in ranked[:k])
        cache_key = (key, cut, among)
        if cache_key not in self._bases:
            self._bases[cache_key] = _Base(ranked[: k + 1] if among else ranked[:k])
        return self._bases[cache_key]

    def _ranked_for(self, profile: Any, cut: tuple[str, ...]) -> list[Peer]:
        if cut not in self._ranked:
            # The distance depends on the two profiles only: computed once per distinct one.
            distances: dict[tuple[str, ...], float] = {}
            for peer_key, peer in zip(self._keys, self.pool, strict=True):
                if peer_key not in distances:
                    distances[peer_key] = similarity_distance(profile, peer)
            order = sorted(
                range(len(self.pool)), key=lambda i: (distances[self._keys[i]], self.pool[i].code)
            )
            self._ranked[cut] = [self.pool[i] for i in order]
        return self._ranked[cut]


def _shape(
    bases: dict[str, _Base], left: Peer | None, domain_codes: list[str], minimum: int
) -> tuple[Any, ...]:
    """What the withholding of one institution's groups depends on, given the bases it was
    cut from: the bases themselves, which of them it leaves itself out of (``left`` is its
    peer in the pool), and which measures that peer answers (its leaving changes those
    figures' answering sets)."""
    measures = ("overall", *domain_codes)
    return (
        minimum,
        measures,
        tuple(id(base) for base in bases.values()),
        tuple(left is not None and left.institution_id in base.ids for base in bases.values()),
        tuple(left is not None and _measure(left, m) is not None for m in measures),
    )


def _withhold_shared(
    index: PoolIndex, shape: tuple[Any, ...], groups: list[GroupFigures], domain_codes: list[str]
) -> None:
    """``_withhold``, done once per shape of groups in ``index``."""
    if shape not in index.withheld:
        _withhold(groups, domain_codes, shape[0])
        index.withheld[shape] = [(g.shown, g.reason, set(g.withheld_measures)) for g in groups]
        return
    for group, (shown, reason, withheld) in zip(groups, index.withheld[shape], strict=True):
        group.shown, group.reason, group.withheld_measures = shown, reason, set(withheld)


def group_explanation(key: str, institution: Any) -> str:
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


def _disclosed(
    summary: Summary, rank: Fraction | None, *, anonymous: bool, minimum: int
) -> Figures:
    if not anonymous:
        return Figures(summary=summary, rank=rank)
    allowed = disclosable(summary.n, minimum)
    if not allowed:
        return Figures(summary=summarise([]), rank=None, reason=str(WITHHELD))
    withheld = {
        name: withheld_reason(name, minimum)
        for name in ("median", "p25", "p75", "min", "max")
        if name not in allowed
    }
    return Figures(
        summary=replace(summary, **dict.fromkeys(withheld)),
        rank=rank if "rank" in allowed else None,
        withheld=withheld,
    )


def withheld_reason(statistic: str, minimum: int) -> str:
    """Why one statistic of a shown figure is held back from institution users."""
    if statistic in ("min", "max"):
        return str(EXTREMES_WITHHELD)
    return str(QUANTILES_WITHHELD % {"minimum": max(minimum, QUANTILE_MINIMUM)})


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
    index: PoolIndex | None = None,
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
    ``institution``; a frozen release passes the institution's frozen fields. ``index``
    (a ``PoolIndex`` of ``pool``) shares the members between calls for many institutions.
    """
    minimum = settings.BENCHMARK_MIN_GROUP
    profile = institution if profile is None else profile
    if index is None:
        others = [p for p in pool if p.institution_id != institution.pk]
        members = {key: _members(key, profile, others) for key in GROUPS}
        bases: dict[str, _Base] = {}
        left = None
    else:
        left = index.peer_of.get(institution.pk)
        bases = {key: index.base(key, profile, institution.pk) for key in GROUPS}
        members = {
            key: [p for p in base.peers if p.institution_id != institution.pk]
            for key, base in bases.items()
        }
    groups = [_group(key, institution, members[key], anonymous, minimum) for key in GROUPS]
    if anonymous and index is not None:
        _withhold_shared(index, _shape(bases, left, domain_codes, minimum), groups, domain_codes)
    elif anonymous:
        _withhold(groups, domain_codes, minimum)
    for group in groups:
        if group.shown:
            _fill_figures(
                group,
                own,
                domain_codes,
                anonymous=anonymous,
                minimum=minimum,
                base=bases.get(group.key),
                left=left,
            )
    return groups


def _group(
    key: str, institution: Any, members: list[Peer], anonymous: bool, minimum: int
) -> GroupFigures:
    return GroupFigures(
        key=key,
        label=str(GROUP_LABELS[key]),
        explanation=group_explanation(key, institution),
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
    base: _Base | None = None,
    left: Peer | None = None,
) -> None:
    withheld = Figures(summary=summarise([]), rank=None, reason=str(WITHHELD))

    def figures(measure: str) -> Figures:
        if measure in group.withheld_measures:
            return withheld
        own_value = _measure(own, measure) if own else None
        if base is None:
            values = (_measure(p, measure) for p in group.peers)
            summary, rank = summarise_with_rank((v for v in values if v is not None), own_value)
        else:
            # The base's sorted values without the institution's own, when it is among them.
            out = _measure(left, measure) if left and left.institution_id in base.ids else None
            summary, rank = base.sorted_values(measure).summarise_with_rank(own_value, without=out)
        return _disclosed(summary, rank, anonymous=anonymous, minimum=minimum)

    group.overall = figures("overall")
    group.domains = {code: figures(code) for code in domain_codes}


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
