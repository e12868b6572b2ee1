"""Reads about panels: seats, progress, the disagreement figures, perspective scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from qa_tool.assessments.models import Assessment
from rubrics import scoring
from rubrics.models import Criterion, RubricVersion

from . import consensus as core
from .models import FinalLevel, Panel, Perspective, Rater, Rating

# A perspective's scores are shown only with at least this many submitted raters in it.
PERSPECTIVE_MIN_RATERS = 3


def consensus_rule(version: RubricVersion) -> str:
    return str(version.content.get("consensus", core.DEFAULT_RULE))


def choice_of(value: Any, na: bool) -> core.Choice | None:
    if na:
        return core.NA
    return None if value is None else scoring.exact(value)


def choice_answer(choice: core.Choice | None) -> scoring.Answer | None:
    if choice is None:
        return None
    if choice is core.NA:
        return scoring.NA
    assert isinstance(choice, Fraction)
    return scoring.Answer(value=choice)


def choice_json(choice: core.Choice | None) -> Any:
    if choice is None:
        return None
    if choice is core.NA:
        return "na"
    assert isinstance(choice, Fraction)
    return scoring.canonical_number(Decimal(choice.numerator) / Decimal(choice.denominator))


def panel_of(assessment: Assessment) -> Panel | None:
    return Panel.objects.filter(assessment=assessment).select_related("lead").first()


def seat_of(user: Any, panel: Panel | None) -> Rater | None:
    if panel is None or not getattr(user, "is_authenticated", False):
        return None
    return Rater.objects.filter(panel=panel, user=user).select_related("panel").first()


def assessment_for_panel_page(user: Any, assessment_id: int) -> Assessment:
    """The assessment if ``user`` may read it or holds a seat on its panel, else 404."""
    base = Assessment.objects.select_related("institution", "cycle", "rubric_version__rubric")
    visible = base.visible_to(user).filter(pk=assessment_id).first()
    if visible is not None:
        return visible
    if (
        getattr(user, "is_authenticated", False)
        and Rater.objects.filter(panel__assessment_id=assessment_id, user=user).exists()
    ):
        return get_object_or_404(base, pk=assessment_id)
    raise Http404


def raters_of(panel: Panel) -> list[Rater]:
    return list(panel.raters.select_related("user").order_by("pk"))


def choices_by_rater(panel: Panel) -> dict[int, dict[str, Rating]]:
    """Every rating of the panel, by rater id and criterion code (one query)."""
    table: dict[int, dict[str, Rating]] = {}
    for rating in Rating.objects.filter(rater__panel=panel).select_related("criterion"):
        table.setdefault(rating.rater_id, {})[rating.criterion.code] = rating
    return table


def own_ratings(rater: Rater) -> dict[str, Rating]:
    rows = Rating.objects.filter(rater=rater).select_related("criterion")
    return {row.criterion.code: row for row in rows}


@dataclass(frozen=True)
class Progress:
    rater: Rater
    answered: int
    total: int


def panel_progress(panel: Panel) -> list[Progress]:
    """Who has rated how many criteria (no levels: anyone on the panel page may see it)."""
    total = panel.assessment.rubric_version.criteria.count()
    table = choices_by_rater(panel)
    return [
        Progress(
            rater=rater,
            answered=sum(1 for r in table.get(rater.pk, {}).values() if r.is_answered),
            total=total,
        )
        for rater in raters_of(panel)
    ]


@dataclass(frozen=True)
class RatingCell:
    rater: Rater
    choice: core.Choice | None
    justification: str


@dataclass
class CriterionPanel:
    criterion: Criterion
    cells: list[RatingCell]
    figures: core.Disagreement
    final: FinalLevel | None = None

    @property
    def code(self) -> str:
        return self.criterion.code


@dataclass
class PanelFigures:
    """The disagreement view: submitted raters only, criteria with most disagreement first."""

    rule: str
    raters: list[Rater]
    rows: list[CriterionPanel]
    percent: Fraction | None
    alpha: float | None
    by_rubric_order: list[CriterionPanel] = field(default_factory=list)


def submitted_choices(panel: Panel) -> tuple[list[Rater], dict[int, dict[str, Rating]]]:
    raters = [r for r in raters_of(panel) if r.is_submitted]
    table = choices_by_rater(panel)
    return raters, {r.pk: table.get(r.pk, {}) for r in raters}


def panel_figures(panel: Panel) -> PanelFigures:
    version = panel.assessment.rubric_version
    rule = consensus_rule(version)
    raters, table = submitted_choices(panel)
    finals = {
        f.criterion_id: f
        for f in FinalLevel.objects.filter(panel=panel).select_related("criterion")
    }
    rows = []
    for criterion in version.criteria.order_by("position"):
        cells = []
        for rater in raters:
            rating = table[rater.pk].get(criterion.code)
            choice = choice_of(rating.value, rating.is_na) if rating else None
            cells.append(RatingCell(rater, choice, rating.justification if rating else ""))
        given = [c.choice for c in cells if c.choice is not None]
        rows.append(
            CriterionPanel(
                criterion, cells, core.disagreement(given, rule), finals.get(criterion.pk)
            )
        )
    codes = [row.code for row in rows]
    matrix = [
        {
            code: c
            for code, r in table[rater.pk].items()
            if (c := choice_of(r.value, r.is_na)) is not None
        }
        for rater in raters
    ]
    scale = list(version.spec.scale)

    def most_disagreement_first(row: CriterionPanel) -> tuple[Any, ...]:
        agreement = row.figures.agreement
        return (agreement is None, agreement if agreement is not None else 0, -row.figures.spread)

    return PanelFigures(
        rule=rule,
        raters=raters,
        rows=sorted(rows, key=most_disagreement_first),
        percent=core.percent_agreement([r.figures for r in rows]),
        alpha=core.ordinal_alpha(matrix, codes, scale),
        by_rubric_order=rows,
    )


def consensus_answers(
    version: RubricVersion, choices: list[dict[str, core.Choice]]
) -> dict[str, scoring.Answer]:
    """The answers the rubric's rule gives for these raters' choices."""
    rule = consensus_rule(version)
    answers = {}
    for code in (c.code for c in version.spec.criteria()):
        given = [row[code] for row in choices if code in row]
        answer = choice_answer(core.consensus(given, rule))
        if answer is not None:
            answers[code] = answer
    return answers


@dataclass(frozen=True)
class PerspectiveScores:
    perspective: str
    label: str
    raters: int
    result: scoring.Result


def perspective_scores(assessment: Assessment) -> list[PerspectiveScores]:
    """Domain scores per perspective, from the consensus of that perspective's submitted
    raters, only for perspectives with at least ``PERSPECTIVE_MIN_RATERS`` of them: one
    person's levels never show through."""
    panel = panel_of(assessment)
    if panel is None:
        return []
    raters, table = submitted_choices(panel)
    version = assessment.rubric_version
    groups: dict[str, list[Rater]] = {}
    for rater in raters:
        if rater.perspective:
            groups.setdefault(rater.perspective, []).append(rater)
    shown = []
    for perspective, members in groups.items():
        if len(members) < PERSPECTIVE_MIN_RATERS:
            continue
        choices = [
            {
                code: c
                for code, r in table[m.pk].items()
                if (c := choice_of(r.value, r.is_na)) is not None
            }
            for m in members
        ]
        result = scoring.score(version.spec, consensus_answers(version, choices))
        label = Perspective(perspective).label if perspective in Perspective.values else perspective
        shown.append(PerspectiveScores(perspective, str(label), len(members), result))
    return sorted(shown, key=lambda p: p.perspective)


def seats_for(user: Any) -> list[Rater]:
    """The panels where ``user`` rates, newest first (for the dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Rater.objects.filter(user=user)
        .select_related(
            "panel__assessment__institution",
            "panel__assessment__cycle",
            "panel__assessment__rubric_version__rubric",
        )
        .order_by("-panel__created_at", "-pk")
    )
