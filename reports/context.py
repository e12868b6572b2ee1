"""The report context: everything the results page, the PDF, the Excel workbook and
the JSON export show about one assessment, built once per request and laid out by
each renderer. Renderers never compute scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from qa_tool.actions.priorities import EffortTotal
from qa_tool.assessments.crosswalks import (
    ReadThrough,
    choose_crosswalk,
    crosswalks_from,
    read_through,
)
from qa_tool.assessments.models import Assessment, Evidence, Response
from qa_tool.assessments.selectors import (
    AssessmentScores,
    assessment_scores,
    evidence_by_code,
    responses_by_code,
)
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.rollup_selectors import (
    RollupReport,
    institution_rollup,
    unit_versions_used,
)
from qa_tool.benchmarks.selectors import Trend, institution_trend
from qa_tool.benchmarks.trends import domain_redefined
from qa_tool.panels.selectors import panel_of, perspective_scores
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.scoring import canonical_number_text

from .lines import (
    Benchmark,
    CouncilSummary,
    CriterionLine,
    DomainChange,
    DomainLine,
    PerspectiveLine,
    PlanLine,
    PreviousPlan,
    Priority,
    ProfileLine,
    StatusCount,
)
from .peer_figures import build_benchmark

# The line types live in reports.lines but stay importable from here, where callers
# have always imported them from.
__all__ = [
    "SORTS",
    "Benchmark",
    "CouncilSummary",
    "CriterionLine",
    "DomainLine",
    "PerspectiveLine",
    "PlanLine",
    "Priority",
    "ProfileLine",
    "ReportContext",
    "build_report_context",
]

SORTS = ("rubric", "score", "weight", "gap")


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
    # The open actions' estimated hours (see ``qa_tool.actions.selectors.plan_effort``).
    plan_effort: EffortTotal | None = None
    summary: CouncilSummary = field(default_factory=lambda: CouncilSummary([], [], 0, 0))
    extras: dict[str, Any] = field(default_factory=dict)
    # The institution's report: a roll-up per programme- or course-level rubric reviewed
    # in the cycle (empty for a unit's own assessment).
    rollups: list[RollupReport] = field(default_factory=list)
    perspectives: list[PerspectiveLine] = field(default_factory=list)
    has_panel: bool = False
    # The crosswalks from this rubric version (the targets one may choose) and the answers
    # read through the chosen one.
    crosswalks: list[Any] = field(default_factory=list)
    read_through: ReadThrough | None = None
    # The level profile (domains, then the whole rubric), shown instead of scores by a
    # rubric with ``overall: none`` and counted by the contract (``Result.profile``).
    level_labels: list[str] = field(default_factory=list)
    profile: list[ProfileLine] = field(default_factory=list)

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
    def has_score(self) -> bool:
        """False for a profile rubric (``overall: none``): levels are counted, not scored."""
        return self.scores.headline.has_score

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

    def plan_by_domain(self) -> list[tuple[DomainLine, list[PlanLine]]]:
        """The plan's actions under their domains, in rubric order; rank order within."""
        return [
            (d, lines)
            for d in self.domains
            if (lines := [line for line in self.plan if line.domain_code == d.code])
        ]

    def criteria_by_domain(self) -> list[tuple[DomainLine, list[CriterionLine]]]:
        return [(d, [c for c in self.criteria if c.domain_code == d.code]) for d in self.domains]

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
    through: str | None = None,
) -> ReportContext:
    """Everything about one assessment that the page and the exports show.

    ``audience`` decides what benchmark figures may be shown (live or released,
    anonymity, give to get); ``group`` picks the peer group used for the charts;
    ``through`` the crosswalk (by id) to read the answers through, default the first.
    """
    language = language or get_language()
    version = assessment.rubric_version
    responses: dict[str, Response] = responses_by_code(assessment)
    scores = assessment_scores(assessment, responses)
    headline = scores.headline
    criteria_rows = {c.code: c for c in version.criteria.all()}
    evidence = evidence_by_code(assessment)
    criteria = _criteria_lines(version, headline, criteria_rows, responses, evidence, language)
    crosswalks = crosswalks_from(version)
    crosswalk = choose_crosswalk(crosswalks, through)
    domains = _domain_lines(version, scores, language)
    # A rubric without scores has no peer benchmark of scores (nor are figures queried).
    benchmark = (
        build_benchmark(assessment, audience, [d.code for d in domains], group)
        if version.spec.has_score
        else _no_benchmark(language)
    )
    _add_peer_figures(domains, benchmark)
    proposals = _proposals(version, headline, criteria_rows)
    priorities = _priorities(version, proposals[:3], criteria_rows, language)
    domain_of = {c.code: c.domain_code for c in criteria}
    plan, plan_effort = _plan(assessment, version, language, domain_of)
    trend = institution_trend(assessment=assessment)
    summary = _council_summary(
        assessment, plan, {p.code: p.gain for p in proposals}, domains, headline, trend, language
    )
    band_label, band_description = _band_texts(version, headline.band, language)
    return ReportContext(
        assessment=assessment,
        language=language,
        generated_at=timezone.now(),
        scores=scores,
        responses=responses,
        band_label=band_label,
        band_description=band_description,
        domains=domains,
        criteria=criteria,
        strengths=_strengths(criteria),
        benchmark=benchmark,
        trend=trend,
        priorities=priorities,
        plan=plan,
        plan_effort=plan_effort,
        summary=summary,
        rollups=_rollups(assessment),
        perspectives=_perspectives(assessment, language) if headline.has_score else [],
        has_panel=panel_of(assessment) is not None,
        crosswalks=crosswalks,
        read_through=read_through(
            assessment=assessment,
            crosswalk=crosswalk,
            headline=headline,
            responses=responses,
            evidence=evidence,
            source_rows=criteria_rows,
            language=language,
        )
        if crosswalk is not None
        else None,
        level_labels=[localize(level["label"], language) for level in version.scale],
        profile=_profile_lines(headline, domains, language),
    )


def _no_benchmark(language: str) -> Benchmark:
    with translation.override(language):
        message = gettext(
            "This rubric reports a level profile, not a score: it has no peer benchmark of scores."
        )
    return Benchmark(allowed=False, message=message, groups=[], selected=None, anonymous=True)


def _profile_lines(
    result: scoring.Result, domains: list[DomainLine], language: str
) -> list[ProfileLine]:
    titles = {d.code: d.title for d in domains}

    def line(code: str, title: str, profile: scoring.Profile) -> ProfileLine:
        return ProfileLine(
            code=code,
            title=title,
            counts=[count for _value, count in profile.levels],
            na=profile.na,
            unanswered=profile.unanswered,
        )

    with translation.override(language):
        overall = gettext("All criteria")
    return [
        *(line(d.code, titles[d.code], d.profile) for d in result.domains),
        line("", overall, result.profile),
    ]


def _criteria_lines(
    version,
    headline: scoring.Result,
    criteria_rows: dict[str, Any],
    responses: dict[str, Response],
    evidence: dict[str, list[Evidence]],
    language: str,
) -> list[CriterionLine]:
    return [
        _criterion_line(
            version,
            domain.code,
            c,
            criteria_rows[c.code],
            responses.get(c.code),
            evidence.get(c.code, []),
            language,
        )
        for domain in headline.domains
        for c in domain.criteria
    ]


def _criterion_line(
    version,
    domain_code: str,
    c: Any,
    row: Any,
    response: Response | None,
    evidence: list[Evidence],
    language: str,
) -> CriterionLine:
    reviewed_value = (
        scoring.exact(response.reviewed_value)
        if response and response.reviewed_value is not None
        else None
    )
    self_value = scoring.exact(response.value) if response and response.value is not None else None
    reviewed_na = bool(response and response.reviewed_na)
    return CriterionLine(
        domain_code=domain_code,
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
        # The contract's score is the level's share of the scale, so the gap is the rest.
        gap=None if c.score is None else 100 - c.score,
        justification=response.justification if response else "",
        links=response.links if response else [],
        evidence=evidence,
        self_level=_level_text(version, self_value, bool(response and response.is_na), language),
        reviewed_level=_level_text(version, reviewed_value, reviewed_na, language),
        reviewed_value=reviewed_value,
        reviewed_na=reviewed_na,
        reviewed_label=_label(version, reviewed_value, language),
        review_comment=response.review_comment if response else "",
    )


def _domain_lines(version, scores: AssessmentScores, language: str) -> list[DomainLine]:
    self_domains = {d.code: d.score for d in scores.self_assessed.domains}
    domain_rows = {d.code: d for d in version.domains.all()}
    return [
        DomainLine(
            code=d.code,
            title=localize(domain_rows[d.code].title, language),
            weight=scoring.exact(domain_rows[d.code].weight),
            score=d.score,
            self_score=self_domains.get(d.code),
            answered=d.answered,
            total=d.total,
        )
        for d in scores.headline.domains
    ]


def _add_peer_figures(domains: list[DomainLine], benchmark: Benchmark) -> None:
    if benchmark.selected is None:
        return
    for line in domains:
        figures = benchmark.selected.domains.get(line.code)
        if figures and figures.shown:
            line.peer_median = figures.summary.median
            line.peer_p25 = figures.summary.p25
            line.peer_p75 = figures.summary.p75
            line.peer_rank = figures.rank


def _strengths(criteria: list[CriterionLine]) -> list[CriterionLine]:
    # By level, which orders as the score does, and works for a profile rubric too.
    rated = [c for c in criteria if c.value is not None]
    return sorted(rated, key=lambda c: (-(c.value or 0), -c.weight, c.position))[:3]


def _band_texts(version, band: Any, language: str) -> tuple[str, str]:
    if not band:
        return "", ""
    band_doc = version.bands[band.position]
    return localize(band_doc.get("label"), language), localize(
        band_doc.get("description"), language
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


def _proposals(version, result, criteria_rows) -> list[Any]:
    """Every criterion to improve, ranked, with the gain of raising it to the top level
    computed on ``result``'s answers (``qa_tool.actions.priorities``)."""
    from qa_tool.actions.priorities import propose_actions

    answers = {
        c.code: (scoring.NA if c.na else scoring.Answer(value=c.value))
        for c in result.criteria
        if c.na or c.value is not None
    }
    return propose_actions(
        version.spec,
        answers,
        recommendations={code: row.recommendations for code, row in criteria_rows.items()},
        plan_target=version.plan_target,
    )


def _priorities(version, proposals, criteria_rows, language: str) -> list[Priority]:
    return [
        Priority(
            code=p.code,
            text=localize(criteria_rows[p.code].text, language),
            action=localize(p.recommendation, language),
            tier=p.tier,
            gain=p.gain,
            current_label=_label(version, p.current_value, language),
            target_label=_label(version, p.target_value, language),
        )
        for p in proposals
    ]


def _plan_line(item: Any, version, language: str, domain_code: str = "") -> PlanLine:
    from qa_tool.actions.models import Tier
    from qa_tool.actions.selectors import action_effort, plan_gain

    effort = action_effort(version, item.current_value)
    return PlanLine(
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
        gain=plan_gain(version, item),
        effort=localize(effort.text, language),
        effort_hours=effort.hours,
        target_descriptor=localize(
            item.criterion.descriptors.get(canonical_number_text(scoring.exact(item.target_value))),
            language,
        ),
        domain_code=domain_code,
    )


def _plan(
    assessment: Assessment, version, language: str, domain_of: dict[str, str]
) -> tuple[list[PlanLine], EffortTotal]:
    """The saved plan, by rank, and the estimated hours of its open actions."""
    from qa_tool.actions.selectors import action_plan, plan_effort

    items = action_plan(assessment)
    lines = [
        _plan_line(item, version, language, domain_of.get(item.criterion.code, ""))
        for item in items
    ]
    return lines, plan_effort(version, items)


def _status_counts(statuses: list[str]) -> list[StatusCount]:
    """How many actions have each status, every status listed (zeros too), in order."""
    from qa_tool.actions.models import ActionStatus

    return [
        StatusCount(status=s.value, label=str(s.label), count=statuses.count(s.value))
        for s in ActionStatus
    ]


def _council_summary(
    assessment: Assessment,
    plan: list[PlanLine],
    gains: dict[str, Fraction],
    domains: list[DomainLine],
    headline: scoring.Result,
    trend: Trend,
    language: str,
) -> CouncilSummary:
    """The council's page. "Last cycle" is the rule of the action plan page
    (``previous_assessment_query``): the institution's assessment of the same rubric
    slug and subject in the greatest cycle before this one; its scores are its stored
    summary, as the trend reads them."""
    from qa_tool.actions.models import ActionStatus
    from qa_tool.actions.selectors import previous_actions_by_code, previous_assessment_query

    # The gain each open action would bring now: the stored gain dates from the last
    # time the plan was generated, perhaps before a reviewer changed levels.
    top = [replace(line, gain=gains.get(line.code, Fraction(0))) for line in plan if line.open][:3]
    summary = CouncilSummary(
        top_actions=top,
        actions_by_status=_status_counts([line.status for line in plan]),
        without_owner=sum(1 for line in plan if line.open and not line.owner.strip()),
        without_due_date=sum(1 for line in plan if line.open and line.due_date is None),
    )
    previous = (
        Assessment.objects.filter(pk__in=previous_assessment_query(assessment))
        .select_related("cycle", "rubric_version")
        .first()
    )
    if previous is None:
        return summary
    summary.previous_cycle = previous.cycle.name
    point = next((p for p in trend.points if p.assessment_id == previous.pk), None)
    summary.previous_scored = point is not None
    before, after = previous.rubric_version.content, assessment.rubric_version.content
    with translation.override(language):
        overall_title = gettext("Overall")
    summary.overall_change = DomainChange(
        code="",
        title=overall_title,
        previous=point.overall if point else None,
        current=headline.score,
    )
    summary.domain_changes = [
        DomainChange(
            code=d.code,
            title=d.title,
            previous=point.domains.get(d.code) if point else None,
            current=d.score,
            redefined=domain_redefined(before, after, d.code),
        )
        for d in domains
    ]
    items = list(previous_actions_by_code(assessment).values())
    if items:
        version = previous.rubric_version
        summary.previous_plan = PreviousPlan(
            cycle=previous.cycle.name,
            total=len(items),
            by_status=_status_counts([item.status for item in items]),
            not_done=[
                _plan_line(item, version, language)
                for item in items
                if item.status != ActionStatus.DONE
            ],
        )
    return summary
