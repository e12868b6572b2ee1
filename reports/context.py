"""The report context: everything the results page, the PDF, the Excel workbook and
the JSON export show about one assessment, built once per request and laid out by
each renderer. Renderers never compute scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from qa_tool.actions.priorities import EffortTotal
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
from qa_tool.panels.selectors import panel_of, perspective_scores
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.scoring import canonical_number_text

from .lines import Benchmark, CriterionLine, DomainLine, PerspectiveLine, PlanLine, Priority
from .peer_figures import build_benchmark

# The line types live in reports.lines but stay importable from here, where callers
# have always imported them from.
__all__ = [
    "SORTS",
    "Benchmark",
    "CriterionLine",
    "DomainLine",
    "PerspectiveLine",
    "PlanLine",
    "Priority",
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
    criteria_rows = {c.code: c for c in version.criteria.all()}
    criteria = _criteria_lines(
        version, headline, criteria_rows, responses, evidence_by_code(assessment), language
    )
    domains = _domain_lines(version, scores, language)
    benchmark = build_benchmark(assessment, audience, [d.code for d in domains], group)
    _add_peer_figures(domains, benchmark)
    priorities, plan, plan_effort = _plan(assessment, headline, criteria_rows, language)
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
        trend=institution_trend(assessment=assessment),
        priorities=priorities,
        plan=plan,
        plan_effort=plan_effort,
        rollups=_rollups(assessment),
        perspectives=_perspectives(assessment, language),
        has_panel=panel_of(assessment) is not None,
    )


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
    top = version.spec.max_value
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
        gap=None if c.value is None else 100 * (top - c.value) / top,
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
    rated = [c for c in criteria if c.score is not None]
    return sorted(rated, key=lambda c: (-c.score, -c.weight, c.position))[:3]


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


def _plan(
    assessment, result, criteria_rows, language
) -> tuple[list[Priority], list[PlanLine], EffortTotal]:
    """The three first priorities (from the ranking formula), the saved plan and the
    estimated hours of its open actions."""
    from qa_tool.actions.selectors import action_plan, plan_effort

    version = assessment.rubric_version
    items = action_plan(assessment)
    return (
        _priorities(version, result, criteria_rows, language),
        _plan_lines(items, version, language),
        plan_effort(version, items),
    )


def _priorities(version, result, criteria_rows, language: str) -> list[Priority]:
    from qa_tool.actions.priorities import propose_actions

    answers = {
        c.code: (scoring.NA if c.na else scoring.Answer(value=c.value))
        for c in result.criteria
        if c.na or c.value is not None
    }
    proposals = propose_actions(
        version.spec,
        answers,
        recommendations={code: row.recommendations for code, row in criteria_rows.items()},
        plan_target=version.plan_target,
    )
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
        for p in proposals[:3]
    ]


def _plan_lines(items: list[Any], version, language: str) -> list[PlanLine]:
    from qa_tool.actions.models import Tier
    from qa_tool.actions.selectors import action_effort

    lines = []
    for item in items:
        effort = action_effort(version, item.target_value)
        lines.append(
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
                effort=localize(effort.text, language),
                effort_hours=effort.hours,
                target_descriptor=localize(
                    item.criterion.descriptors.get(
                        canonical_number_text(scoring.exact(item.target_value))
                    ),
                    language,
                ),
            )
        )
    return lines
