"""The demo's benchmark releases: institution users see only published peer figures, so a
fresh demo publishes each cycle's figures once, in the demo reviewer's name."""

from __future__ import annotations

from qa_tool.benchmarks.models import BenchmarkRelease, ScoreSummary
from qa_tool.benchmarks.services import benchmark_release_publish
from qa_tool.institutions.models import User


def publish_releases(*, reviewer: User) -> int:
    """Publish every rubric version and cycle with submissions and no release yet."""
    with_data = set(
        ScoreSummary.objects.filter(counts=True).values_list(
            "assessment__rubric_version_id", "assessment__cycle_id"
        )
    )
    released = set(BenchmarkRelease.objects.values_list("rubric_version_id", "cycle_id"))
    # A handful of (version, cycle) pairs: one publication each.
    for version_id, cycle_id in sorted(with_data - released):
        benchmark_release_publish(rubric_version_id=version_id, cycle_id=cycle_id, actor=reviewer)
    return len(with_data - released)
