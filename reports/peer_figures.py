"""The peer figures beside a report: live for the coordinating centre, from the latest
release for institution users, and only as far as give to get and disclosure allow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from qa_tool.assessments.models import Assessment
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.models import BenchmarkRelease, ScoreSummary
from qa_tool.benchmarks.released_figures import stored_groups
from qa_tool.benchmarks.selectors import (
    WITHHELD,
    GroupFigures,
    Peer,
    benchmarks_allowed,
    latest_release,
    own_peer,
    peer_groups,
    peer_pool,
    release_pool,
)

from .lines import Benchmark


@dataclass
class _Peers:
    """Whom the figures are drawn from, and whether this institution counts among them."""

    counted: bool
    pool: list[Peer] = field(default_factory=list)
    own: Peer | None = None
    # The fields the groups are cut by (None: the institution's current ones).
    profile: Any = None
    release: BenchmarkRelease | None = None
    # The figures as stored when the release was published (``released_figures``).
    stored: list[GroupFigures] | None = None


def _released_peers(assessment: Assessment, audience: Audience, codes: list[str]) -> _Peers | None:
    """Peers for institution users; None while nothing has been released to them."""
    # Give to get reads the live summary; the figures come from the latest release
    # only, so that no submission shows up in them until a reviewer publishes.
    counted = (
        not assessment.subject
        and ScoreSummary.objects.filter(assessment=assessment, counts=True).exists()
    )
    if not benchmarks_allowed(audience, counted):
        return _Peers(counted=counted)
    release = latest_release(
        rubric_version_id=assessment.rubric_version_id, cycle_id=assessment.cycle_id
    )
    if release is None:
        return None
    stored = stored_groups(
        release, institution=assessment.institution, assessment_id=assessment.pk, codes=codes
    )
    if stored is not None:
        return _Peers(counted=counted, release=release, stored=stored)
    # Released before figures were stored, or stored under other rules or settings.
    pool = release_pool(release)
    own = own_peer(pool, assessment)
    # Groups follow the institution's fields as released: editing its region
    # later must not show it a second cut of the same release to subtract.
    return _Peers(counted=counted, pool=pool, own=own, profile=own, release=release)


def _live_peers(assessment: Assessment) -> _Peers:
    version_id, cycle_id = assessment.rubric_version_id, assessment.cycle_id
    pool = peer_pool(rubric_version_id=version_id, cycle_id=cycle_id)
    own = own_peer(pool, assessment)
    release = latest_release(rubric_version_id=version_id, cycle_id=cycle_id)
    return _Peers(counted=own is not None, pool=pool, own=own, release=release)


def build_benchmark(
    assessment: Assessment, audience: Audience, codes: list[str], group: str | None
) -> Benchmark:
    """The peer figures ``audience`` may see beside ``assessment``, by peer group;
    ``group`` picks the one the charts use (the first shown one otherwise)."""
    anonymous = audience.anonymous
    peers = _released_peers(assessment, audience, codes) if anonymous else _live_peers(assessment)
    if peers is None:
        return Benchmark(
            allowed=False,
            message=gettext(
                "Peer figures for this cycle will appear when the coordinating centre "
                "publishes them."
            ),
            groups=[],
            selected=None,
            anonymous=True,
        )
    if not benchmarks_allowed(audience, peers.counted):
        return Benchmark(
            allowed=False,
            message=gettext(
                "Peer figures for this cycle appear once your institution has submitted this "
                "assessment."
            ),
            groups=[],
            selected=None,
            anonymous=anonymous,
        )
    groups = peers.stored or peer_groups(
        institution=assessment.institution,
        own=peers.own,
        pool=peers.pool,
        domain_codes=codes,
        anonymous=anonymous,
        profile=peers.profile,
    )
    return _allowed_benchmark(groups, group, anonymous, peers.release)


def _allowed_benchmark(
    groups: list[GroupFigures],
    group: str | None,
    anonymous: bool,
    release: BenchmarkRelease | None,
) -> Benchmark:
    shown = [g for g in groups if g.shown]
    selected = next((g for g in shown if g.key == group), shown[0] if shown else None)
    if shown:
        message = ""
    elif anonymous:
        message = str(WITHHELD)  # how many peers there are is not said either
    else:
        message = gettext("Not enough peers have submitted this rubric in this cycle yet.")
    return Benchmark(
        allowed=True,
        message=message,
        groups=groups,
        selected=selected,
        anonymous=anonymous,
        release=release,
    )


def group_refusal(benchmark: Benchmark, group: str) -> str:
    """Why ``group`` cannot be the report's peer group ("" when it can): only the groups
    this viewer is shown (anonymity rules applied) may be chosen. The refusal names the
    choices, never the value asked for (it may be anything, of any length)."""
    choices = benchmark.group_choices
    if any(key == group for key, _label in choices):
        return ""
    if not choices:
        return gettext(
            "This peer group is not available to you: no peer figures can be shown in this report."
        )
    return gettext("This peer group is not available to you. Choose one of: %(groups)s.") % {
        "groups": ", ".join(f"{key} ({label})" for key, label in choices)
    }
