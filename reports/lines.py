"""The lines a report is made of: one per criterion, domain, plan item, priority and
rater perspective, and the peer figures. Plain data, filled in by ``reports.context``."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings

from qa_tool.assessments.models import Evidence
from qa_tool.benchmarks.disclosure import QUANTILE_MINIMUM
from qa_tool.benchmarks.models import BenchmarkRelease
from qa_tool.benchmarks.selectors import GroupFigures


@dataclass
class CriterionLine:
    domain_code: str
    code: str
    text: str
    guidance: str
    position: int
    weight: Fraction
    critical: bool
    value: Fraction | None
    na: bool
    level_label: str
    score: Fraction | None
    gap: Fraction | None  # percentage points below the top level
    justification: str
    links: list[str]
    evidence: list[Evidence]
    # The self-assessed level and the reviewer's (proposed, or validated once validated)
    # level, as shown text: a label, "N/A", or "" when none.
    self_level: str = ""
    reviewed_level: str = ""
    reviewed_value: Fraction | None = None
    reviewed_na: bool = False
    reviewed_label: str = ""
    review_comment: str = ""

    @property
    def review_differs(self) -> bool:
        """The reviewer gave a level other than the self-assessed one."""
        return bool(self.reviewed_level) and self.reviewed_level != self.self_level


@dataclass
class DomainLine:
    code: str
    title: str
    weight: Fraction
    score: Fraction | None
    self_score: Fraction | None
    answered: int
    total: int
    peer_median: Fraction | None = None
    peer_p25: Fraction | None = None
    peer_p75: Fraction | None = None
    peer_rank: Fraction | None = None


@dataclass
class Benchmark:
    allowed: bool
    message: str
    groups: list[GroupFigures]
    selected: GroupFigures | None
    anonymous: bool
    # The release institution users see: the figures themselves for them, only the date
    # of the last publication for the centre, which reads live figures.
    release: BenchmarkRelease | None = None

    @property
    def quantile_minimum(self) -> int:
        return max(settings.BENCHMARK_MIN_GROUP, QUANTILE_MINIMUM)


@dataclass
class PlanLine:
    rank: int
    tier: int
    tier_label: str
    code: str
    criterion: str
    current_label: str
    target_label: str
    action: str
    owner: str
    due_date: Any
    status: str
    status_label: str
    reviewer_comment: str
    gain: Fraction
    # The rubric's estimate of the target level (see ``qa_tool.actions.selectors``).
    effort: str = ""
    effort_hours: Fraction | None = None
    target_descriptor: str = ""


@dataclass
class Priority:
    code: str
    text: str
    action: str
    tier: int
    gain: Fraction
    current_label: str
    target_label: str


@dataclass
class PerspectiveLine:
    """Domain scores of one rater perspective (only with enough raters; see panels)."""

    key: str
    label: str
    raters: int
    overall: Fraction | None
    domains: dict[str, Fraction | None]
