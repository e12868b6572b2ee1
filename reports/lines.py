"""The lines a report is made of: one per criterion, domain, plan item, priority and
rater perspective, and the peer figures. Plain data, filled in by ``reports.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings

from qa_tool.actions.models import OPEN_STATUSES
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
class ProfileLine:
    """One row of the level profile: a domain (or the whole rubric, ``code`` "") with how
    many criteria sit at each level of the scale, in scale order."""

    code: str
    title: str
    counts: list[int]
    na: int
    unanswered: int

    @property
    def total(self) -> int:
        return sum(self.counts) + self.na + self.unanswered


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
    def group_choices(self) -> list[tuple[str, str]]:
        """The peer groups this viewer may pick for a report: those shown to them."""
        return [(g.key, g.label) for g in self.groups if g.shown]

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
    gain: Fraction | None  # None on a profile rubric (overall: none)
    # The rubric's estimate of the target level (see ``qa_tool.actions.selectors``).
    effort: str = ""
    effort_hours: Fraction | None = None
    target_descriptor: str = ""
    domain_code: str = ""

    @property
    def open(self) -> bool:
        """Still to do: planned or in progress (not done, not dropped)."""
        return self.status in OPEN_STATUSES


@dataclass
class Priority:
    code: str
    text: str
    action: str
    tier: int
    gain: Fraction | None  # None on a profile rubric (overall: none)
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


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


@dataclass
class DomainChange:
    """One domain's headline score last cycle and this cycle (matched by domain code)."""

    code: str
    title: str
    previous: Fraction | None
    current: Fraction | None
    # The domain's definition (weight, criteria, scale) changed between the two
    # rubric versions: the two scores are not quite comparable.
    redefined: bool = False

    @property
    def change(self) -> Fraction | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


@dataclass
class PreviousPlan:
    """Last cycle's action plan and what became of it."""

    cycle: str
    total: int
    by_status: list[StatusCount]
    not_done: list[PlanLine]


@dataclass
class CouncilSummary:
    """The one page a council reads: the result, what to do next, what changed since the
    last cycle and what became of last cycle's plan."""

    # The plan's first three open actions by rank (planned or in progress), each with the
    # gain computed on this report's headline answers.
    top_actions: list[PlanLine]
    actions_by_status: list[StatusCount]
    without_owner: int
    without_due_date: int
    previous_cycle: str | None = None
    # False when last cycle's assessment has no stored scores (never submitted).
    previous_scored: bool = False
    # The overall score as a line of the same table (code "", title "Overall").
    overall_change: DomainChange | None = None
    domain_changes: list[DomainChange] = field(default_factory=list)
    previous_plan: PreviousPlan | None = None

    @property
    def redefined_domains(self) -> bool:
        return any(d.redefined for d in self.domain_changes)
