"""The report context: everything the results page, the PDF, the Excel workbook and
the JSON export show about one assessment, built once per request and laid out by
each renderer. Renderers never compute scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from qa_tool.assessments.models import Assessment, Evidence, Response
from qa_tool.assessments.selectors import (
    AssessmentScores,
    assessment_scores,
    evidence_by_code,
    responses_by_code,
)
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.disclosure import QUANTILE_MINIMUM
from qa_tool.benchmarks.models import BenchmarkRelease, ScoreSummary
from qa_tool.benchmarks.rollup_selectors import (
    RollupReport,
    institution_rollup,
    unit_versions_used,
)
from qa_tool.benchmarks.selectors import (
    WITHHELD,
    GroupFigures,
    Peer,
    Trend,
    benchmarks_allowed,
    institution_trend,
    latest_release,
    own_peer,
    peer_groups,
    peer_pool,
    release_pool,
)
from qa_tool.panels.selectors import panel_of, perspective_scores
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.scoring import canonical_number_text

SORTS = ("rubric", "score", "weight", "gap")


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


@dataclass
class ReportContext:
    assessment: Assessment
    language: str
    generated_at: datetime
    scores: AssessmentScores
    responses: dict[str, Response]
    band_label: str
    band_description: str
    domains: list[DomainLine]
    criteria: list[CriterionLine]
    strengths: list[CriterionLine]
    benchmark: Benchmark
    trend: Trend
    priorities: list[Priority]
    plan: list[PlanLine]
    extras: dict[str, Any] = field(default_factory=dict)
    # The institution's report: a roll-up per programme- or course-level rubric reviewed
    # in the cycle (empty for a unit's own assessment).
    rollups: list[RollupReport] = field(default_factory=list)
    perspectives: list[PerspectiveLine] = field(default_factory=list)
    has_panel: bool = False

    @property
    def version(self):
        return self.assessment.rubric_version

    @property
    def institution(self):
        return self.assessment.institution

    @property
    def result(self) -> scoring.Result:
        """The headline result (see ``assessment_scores``)."""
        return self.scores.headline

    @property
    def self_result(self) -> scoring.Result:
        return self.scores.self_assessed

    @property
    def validated_result(self) -> scoring.Result | None:
        return self.scores.validated

    @property
    def is_validated(self) -> bool:
        return self.scores.validated is not None

    @property
    def validated_by(self) -> str:
        person = self.assessment.reviewed_by if self.is_validated else None
        return (person.get_full_name() or person.username) if person else ""

    @property
    def validated_at(self) -> datetime | None:
        return self.assessment.reviewed_at if self.is_validated else None

    @property
    def reviewed(self) -> bool:
        """Some reviewer's level or comment is there to be shown beside the criteria."""
        return any(c.reviewed_level or c.review_comment for c in self.criteria)

    def sorted_criteria(self, key: str) -> list[CriterionLine]:
        if key == "score":
            return sorted(
                self.criteria, key=lambda c: (c.score is None, -(c.score or 0), c.position)
            )
        if key == "weight":
            return sorted(self.criteria, key=lambda c: (-c.weight, c.position))
        if key == "gap":
            return sorted(
                self.criteria, key=lambda c: (c.gap is None, -(c.gap or 0), -c.weight, c.position)
            )
        return self.criteria


def _label(version, value: Fraction | None, language: str) -> str:
    return "" if value is None else version.level_label(value, language)


def _level_text(version, value: Fraction | None, na: bool, language: str) -> str:
    if na:
        with translation.override(language):
            return gettext("N/A")
    return _label(version, value, language)


def build_report_context(
    *,
    assessment: Assessment,
    audience: Audience,
    group: str | None = None,
    language: str | None = None,
) -> ReportContext:
    """Everything about one assessment that the page and the exports show.

    ``audience`` decides what benchmark figures may be shown (live or released,
    anonymity, give to get); ``group`` picks the peer group used for the charts.
    """
    language = language or get_language()
    version = assessment.rubric_version
    responses: dict[str, Response] = responses_by_code(assessment)
    scores = assessment_scores(assessment, responses)
    headline = scores.headline
    evidence = evidence_by_code(assessment)

    criteria_rows = {c.code: c for c in version.criteria.all()}
    top = version.spec.max_value
    criteria = []
    for domain in headline.domains:
        for c in domain.criteria:
            row = criteria_rows[c.code]
            response = responses.get(c.code)
            reviewed_value = (
                scoring.exact(response.reviewed_value)
                if response and response.reviewed_value is not None
                else None
            )
            criteria.append(
                CriterionLine(
                    domain_code=domain.code,
                    code=c.code,
                    text=localize(row.text, language),
                    guidance=localize(row.guidance, language),
                    position=row.position,
                    weight=scoring.exact(row.weight),
                    critical=row.critical,
                    value=c.value,
                    na=c.na,
                    level_label=_label(version, c.value, language),
                    score=c.score,
                    gap=None if c.value is None else 100 * (top - c.value) / top,
                    justification=response.justification if response else "",
                    links=response.links if response else [],
                    evidence=evidence.get(c.code, []),
                    self_level=_level_text(
                        version,
                        scoring.exact(response.value)
                        if response and response.value is not None
                        else None,
                        bool(response and response.is_na),
                        language,
                    ),
                    reviewed_level=_level_text(
                        version, reviewed_value, bool(response and response.reviewed_na), language
                    ),
                    reviewed_value=reviewed_value,
                    reviewed_na=bool(response and response.reviewed_na),
                    reviewed_label=_label(version, reviewed_value, language),
                    review_comment=response.review_comment if response else "",
                )
            )

    self_domains = {d.code: d.score for d in scores.self_assessed.domains}
    domain_rows = {d.code: d for d in version.domains.all()}
    domains = [
        DomainLine(
            code=d.code,
            title=localize(domain_rows[d.code].title, language),
            weight=scoring.exact(domain_rows[d.code].weight),
            score=d.score,
            self_score=self_domains.get(d.code),
            answered=d.answered,
            total=d.total,
        )
        for d in headline.domains
    ]

    rated = [c for c in criteria if c.score is not None]
    strengths = sorted(rated, key=lambda c: (-c.score, -c.weight, c.position))[:3]

    benchmark = _benchmark(assessment, audience, [d.code for d in domains], group)
    if benchmark.selected is not None:
        for line in domains:
            figures = benchmark.selected.domains.get(line.code)
            if figures and figures.shown:
                line.peer_median = figures.summary.median
                line.peer_p25 = figures.summary.p25
                line.peer_p75 = figures.summary.p75
                line.peer_rank = figures.rank

    priorities, plan = _plan(assessment, headline, criteria_rows, language)

    band = headline.band
    band_doc = version.bands[band.position] if band else {}
    return ReportContext(
        assessment=assessment,
        language=language,
        generated_at=timezone.now(),
        scores=scores,
        responses=responses,
        band_label=localize(band_doc.get("label"), language) if band else "",
        band_description=localize(band_doc.get("description"), language) if band else "",
        domains=domains,
        criteria=criteria,
        strengths=strengths,
        benchmark=benchmark,
        trend=institution_trend(assessment=assessment),
        priorities=priorities,
        plan=plan,
        rollups=_rollups(assessment),
        perspectives=_perspectives(assessment, language),
        has_panel=panel_of(assessment) is not None,
    )


def _rollups(assessment: Assessment) -> list[RollupReport]:
    if assessment.subject_id is not None:
        return []
    return [
        institution_rollup(
            institution=assessment.institution, rubric_version=version, cycle=assessment.cycle
        )
        for version in unit_versions_used(
            institution=assessment.institution, cycle=assessment.cycle
        )
    ]


def _perspectives(assessment: Assessment, language: str) -> list[PerspectiveLine]:
    """Per perspective with at least three submitted raters, its consensus's domain scores."""
    with translation.override(language):
        return [
            PerspectiveLine(
                key=p.perspective,
                label=str(p.label),
                raters=p.raters,
                overall=p.result.score,
                domains={d.code: d.score for d in p.result.domains},
            )
            for p in perspective_scores(assessment)
        ]


def _plan(assessment, result, criteria_rows, language) -> tuple[list[Priority], list[PlanLine]]:
    """The three first priorities (from the ranking formula) and the saved plan."""
    from qa_tool.actions.models import Tier
    from qa_tool.actions.priorities import propose_actions
    from qa_tool.actions.selectors import action_plan

    version = assessment.rubric_version
    answers = {
        c.code: (scoring.NA if c.na else scoring.Answer(value=c.value))
        for c in result.criteria
        if c.na or c.value is not None
    }
    proposals = propose_actions(
        version.spec,
        answers,
        recommendations={code: row.recommendations for code, row in criteria_rows.items()},
    )
    priorities = [
        Priority(
            code=p.code,
            text=localize(criteria_rows[p.code].text, language),
            action=localize(p.recommendation, language),
            tier=p.tier,
            gain=p.gain,
            current_label=_label(version, p.current_value, language),
            target_label=_label(version, p.target_value, language),
        )
        for p in proposals[:3]
    ]
    plan = [
        PlanLine(
            rank=item.rank,
            tier=item.tier,
            tier_label=str(Tier(item.tier).label),
            code=item.criterion.code,
            criterion=localize(item.criterion.text, language),
            current_label=_label(version, scoring.exact(item.current_value), language),
            target_label=_label(version, scoring.exact(item.target_value), language),
            action=item.text
            or localize(
                item.criterion.recommendations.get(
                    canonical_number_text(scoring.exact(item.current_value))
                ),
                language,
            ),
            owner=item.owner,
            due_date=item.due_date,
            status=item.status,
            status_label=item.get_status_display(),
            reviewer_comment=item.reviewer_comment,
            gain=scoring.exact(item.gain),
        )
        for item in action_plan(assessment)
    ]
    return priorities, plan


def _benchmark(
    assessment: Assessment, audience: Audience, codes: list[str], group: str | None
) -> Benchmark:
    from django.utils.translation import gettext as _

    anonymous = audience.anonymous
    version_id, cycle_id = assessment.rubric_version_id, assessment.cycle_id
    release: BenchmarkRelease | None = None
    profile: Any = None
    pool: list[Peer] = []
    own: Peer | None = None
    if anonymous:
        # Give to get reads the live summary; the figures come from the latest release
        # only, so that no submission shows up in them until a reviewer publishes.
        counted = (
            not assessment.subject
            and ScoreSummary.objects.filter(assessment=assessment, counts=True).exists()
        )
        if benchmarks_allowed(audience, counted):
            release = latest_release(rubric_version_id=version_id, cycle_id=cycle_id)
            if release is None:
                return Benchmark(
                    allowed=False,
                    message=_(
                        "Peer figures for this cycle will appear when the coordinating centre "
                        "publishes them."
                    ),
                    groups=[],
                    selected=None,
                    anonymous=True,
                )
            pool = release_pool(release)
            own = own_peer(pool, assessment)
            # Groups follow the institution's fields as released: editing its region
            # later must not show it a second cut of the same release to subtract.
            profile = own
    else:
        pool = peer_pool(rubric_version_id=version_id, cycle_id=cycle_id)
        own = own_peer(pool, assessment)
        counted = own is not None
        release = latest_release(rubric_version_id=version_id, cycle_id=cycle_id)
    if not benchmarks_allowed(audience, counted):
        return Benchmark(
            allowed=False,
            message=_(
                "Peer figures for this cycle appear once your institution has submitted this "
                "assessment."
            ),
            groups=[],
            selected=None,
            anonymous=anonymous,
        )
    groups = peer_groups(
        institution=assessment.institution,
        own=own,
        pool=pool,
        domain_codes=codes,
        anonymous=anonymous,
        profile=profile,
    )
    shown = [g for g in groups if g.shown]
    selected = next((g for g in shown if g.key == group), shown[0] if shown else None)
    if shown:
        message = ""
    elif anonymous:
        message = str(WITHHELD)  # how many peers there are is not said either
    else:
        message = _("Not enough peers have submitted this rubric in this cycle yet.")
    return Benchmark(
        allowed=True,
        message=message,
        groups=groups,
        selected=selected,
        anonymous=anonymous,
        release=release,
    )
