"""Institution users' peer figures of a release, computed once when it is published.

An institution's people see the figures of the latest release, anonymous and with the
disclosure rules applied (``groups.peer_groups``). Computing them reads the whole
released pool and checks the groups against each other: work that grows with the
network. Publishing therefore stores, for every institution that could look at the
release, the complete result as that institution sees it (``ReleasedFigures``), and
reading it is one row. This holds for both kinds of release: of an institution rubric
(figures by domain, beside an assessment's report) and of a programme or course rubric
(the roll-up: median unit score and ``PASS_RATE``, on the roll-up page).

Which institutions: every institution in the release, and every institution with an
assessment of the rubric version in the cycle at publish time, counted or not: an
institution assessment for an institution rubric, a programme or course assessment for a
roll-up. One not counted yet sees the figures once it submits (give to get is checked
when reading, from its live summaries). Anyone else (an assessment started after the
release, or a release published before figures were stored) reads them computed from
the release as before.

A stored row is used only while it is what computing from the release would give now:
same rules (``RULES``), same group settings, same domains, the same own row in the
release (its assessment: the one being read for an institution rubric,
``ROLLUP_ASSESSMENT`` for a roll-up, where an institution's row stands for all its
units), and for an institution outside the release the same fields deciding its groups;
otherwise the figures are computed from the release (``manage.py store_release_figures``
rewrites them). A release is never changed once published, so an institution stored as in
it is in it for as long as the row is read. Labels, explanations and reasons are not
stored but worded when read, in the reader's language, exactly as computing live does.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from qa_tool.assessments.models import Assessment
from qa_tool.institutions.models import Institution

from .groups import (
    GROUP_LABELS,
    WITHHELD,
    Figures,
    GroupFigures,
    PoolIndex,
    group_explanation,
    peer_groups,
    profile_key,
    similar_k,
    withheld_reason,
)
from .models import BenchmarkRelease, ReleasedFigures, ReleasedScore
from .peers import Peer, release_pool
from .rollup import PASS_RATE
from .statistics import summary_from_json, summary_json

#: Bump when ``peer_groups`` or its disclosure rules change: rows stored under other rules
#: are then ignored (computed from the release) until ``store_release_figures`` runs.
RULES = 1


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _unfraction(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _figures_json(figures: Figures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {
        **summary_json(figures.summary),
        "rank": _fraction(figures.rank),
        "withheld": list(figures.withheld),
        "reason": bool(figures.reason),
    }


def _figures(data: dict[str, Any], minimum: int) -> Figures:
    return Figures(
        summary=summary_from_json(data),
        rank=_unfraction(data["rank"]),
        withheld={name: withheld_reason(name, minimum) for name in data["withheld"]},
        reason=str(WITHHELD) if data["reason"] else "",
    )


def _settings() -> dict[str, int]:
    return {"minimum": settings.BENCHMARK_MIN_GROUP, "similar": similar_k()}


def figures_json(
    groups: list[GroupFigures],
    *,
    codes: list[str],
    own: Peer | None,
    profile: tuple[str, ...] | None,
) -> dict[str, Any]:
    """``peer_groups``' result as JSON: exact fractions, no names, no translated text.

    ``own`` is the institution's peer in the release (its ``assessment_id`` is what
    readers are matched on, ``ROLLUP_ASSESSMENT`` for a roll-up); ``profile`` the fields
    its groups were cut by when it is not in the release (its own fields then).
    """
    return {
        "rules": RULES,
        **_settings(),
        "codes": codes,
        "assessment": own.assessment_id if own else None,
        "profile": list(profile) if own is None and profile else None,
        "groups": [
            {
                "key": g.key,
                "n": g.n,
                "shown": g.shown,
                "withheld": bool(g.reason),
                "measures": sorted(g.withheld_measures),
                "overall": _figures_json(g.overall),
                "domains": {code: _figures_json(f) for code, f in g.domains.items()},
            }
            for g in groups
        ],
    }


def groups_from_json(
    data: dict[str, Any], *, institution: Institution, assessment_id: int, codes: list[str]
) -> list[GroupFigures] | None:
    """The stored figures as ``peer_groups`` would compute them now for ``institution``
    reading as ``assessment_id`` (the assessment whose row in the release is its own, or
    ``ROLLUP_ASSESSMENT``); None when the row no longer matches (see the module's
    docstring)."""
    current = (
        data.get("rules") == RULES
        and {k: data.get(k) for k in ("minimum", "similar")} == _settings()
        and data.get("codes") == codes
        and (
            data["assessment"] == assessment_id
            if data.get("assessment") is not None
            else data.get("profile") == list(profile_key(institution))
        )
    )
    if not current:
        return None
    minimum = data["minimum"]
    return [
        GroupFigures(
            key=g["key"],
            label=str(GROUP_LABELS[g["key"]]),
            explanation=group_explanation(g["key"], institution),
            peers=[],
            count=g["n"],
            shown=g["shown"],
            reason=str(WITHHELD) if g["withheld"] else "",
            overall=None if g["overall"] is None else _figures(g["overall"], minimum),
            domains={code: _figures(f, minimum) for code, f in g["domains"].items()},
            withheld_measures=set(g["measures"]),
        )
        for g in data["groups"]
    ]


def stored_groups(
    release: BenchmarkRelease,
    *,
    institution: Institution,
    assessment_id: int,
    codes: list[str],
) -> list[GroupFigures] | None:
    """``institution``'s stored figures of ``release`` (one query), or None.

    ``assessment_id`` says which row of the release is the reader's own: the assessment
    being read for an institution rubric, ``ROLLUP_ASSESSMENT`` for a roll-up.
    """
    data = (
        ReleasedFigures.objects.filter(release=release, institution_id=institution.pk)
        .values_list("figures", flat=True)
        .first()
    )
    if data is None:
        return None
    return groups_from_json(data, institution=institution, assessment_id=assessment_id, codes=codes)


def release_codes(release: BenchmarkRelease) -> list[str]:
    """The domain codes the figures are computed for: the rubric's domains in its order,
    or the pass rate for a roll-up (programme or course rubric)."""
    if release.rubric_version.is_unit_level:
        return [PASS_RATE]
    return [d.code for d in release.rubric_version.spec.domains]


def release_figures(release: BenchmarkRelease) -> list[ReleasedFigures]:
    """Every viewing institution's figures of ``release`` (not saved).

    The pool is read once and the groups' members shared between institutions of the
    same profile (``PoolIndex``); each institution's figures are still its own (it is
    left out of its groups).
    """
    pool = release_pool(release)
    index = PoolIndex(pool)
    codes = release_codes(release)
    in_release = {p.institution_id: p for p in pool}
    # Subqueries, not lists of ids: there may be thousands.
    viewers = Institution.objects.filter(
        Q(pk__in=ReleasedScore.objects.filter(release=release).values("institution_id"))
        | Q(
            pk__in=Assessment.objects.filter(
                rubric_version_id=release.rubric_version_id,
                cycle_id=release.cycle_id,
                # A roll-up's viewers are institutions reviewing programmes or courses.
                subject__isnull=not release.rubric_version.is_unit_level,
            ).values("institution_id")
        )
    )
    rows = []
    for institution in viewers.order_by("pk").iterator(chunk_size=500):
        own = in_release.get(institution.pk)
        groups = peer_groups(
            institution=institution,
            own=own,
            pool=pool,
            domain_codes=codes,
            anonymous=True,
            profile=own,
            index=index,
        )
        rows.append(
            ReleasedFigures(
                release=release,
                institution=institution,
                figures=figures_json(
                    groups, codes=codes, own=own, profile=profile_key(own or institution)
                ),
            )
        )
    return rows


def release_figures_store(*, release: BenchmarkRelease) -> int:
    """(Re)write the stored figures of ``release``; how many institutions."""
    rows = release_figures(release)
    with transaction.atomic():
        ReleasedFigures.objects.filter(release=release).delete()
        ReleasedFigures.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def latest_releases() -> list[BenchmarkRelease]:
    """The release institution users read for each rubric version and cycle (institution
    rubrics and roll-ups of programme and course rubrics alike)."""
    latest: dict[tuple[int, int], BenchmarkRelease] = {}
    for release in BenchmarkRelease.objects.select_related("rubric_version").order_by(
        "published_at", "pk"
    ):
        latest[(release.rubric_version_id, release.cycle_id)] = release
    return list(latest.values())
