"""What the review panel adds to the assessment's score JSON and portable file
(registered in ``PanelsConfig.ready``; the assessments package never imports panels)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qa_tool.access import PANEL_SELF
from qa_tool.assessments.audit import Action, record
from qa_tool.assessments.extensions import FieldFormats, PortableExtension
from qa_tool.assessments.history import choice_reader
from qa_tool.assessments.models import Assessment
from qa_tool.assessments.services import AnswerInput, AssessmentError, check_answers
from qa_tool.core import bounds
from qa_tool.core.bounds import BoundError, number
from qa_tool.core.numbers import display_float
from qa_tool.core.refusals import Problem
from rubrics.models import RubricVersion

from . import consensus as core
from .models import Panel, PanelKind, Rater, Rating
from .selectors import choice_json, choice_of, consensus_rule, panel_figures, panel_of

MAX_RATERS = 200
MAX_NAME = 100


def percent(share: Fraction | None) -> float | None:
    return None if share is None else display_float(share * 100)


def alpha_json(alpha: float | None) -> float | None:
    return None if alpha is None else display_float(Fraction(Decimal(repr(alpha))), 3)


def score_json(assessment: Assessment, data: dict[str, Any]) -> None:
    """Per criterion the submitted raters' levels (in rater order) and the agreement; at the
    top the number of raters, the overall percent agreement and Krippendorff's alpha."""
    panel = panel_of(assessment)
    if panel is None:
        return
    figures = panel_figures(panel)
    rows = {row.code: row for row in figures.rows}
    for criterion in data.get("criteria", []):
        row = rows.get(criterion["code"])
        criterion["ratings"] = [choice_json(cell.choice) for cell in row.cells] if row else []
        criterion["agreement"] = percent(row.figures.agreement) if row else None
    data["raters"] = len(figures.raters)
    data["agreement"] = percent(figures.percent)
    data["alpha"] = alpha_json(figures.alpha)
    data["consensus"] = figures.rule


# --- the history page --------------------------------------------------------------------


def _rater_reader(value: Any) -> str:
    if isinstance(value, dict):
        if "raters" in value:
            return ", ".join(str(name) for name in value["raters"])
        return str(value.get("rater", ""))
    return str(value)


def history_formats(level: Callable[[Any], str]) -> FieldFormats:
    """How the panel's audit events ("panel:…" fields) read on the history page."""
    return {
        "panel:created": (lambda: _("Review panel set up"), choice_reader(PanelKind)),
        "panel:rater": (lambda: _("Rater added"), _rater_reader),
        "panel:submitted": (lambda: _("Ratings submitted"), _rater_reader),
        "panel:ratings": (lambda: _("Panel ratings imported"), _rater_reader),
        "panel:override": (lambda: _("Final level other than the consensus"), level),
    }


# --- the portable file's "raters" -----------------------------------------------------------


def _level_problem(value: Any) -> str | None:
    """Why a rater's value is not a level ("" or None when it is one)."""
    if value is None or value == "na":
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _('must be a number, "na" or null')
    try:
        number(value)
    except BoundError as error:
        return str(error)
    return None


def _shape_problems(raters: Any) -> list[Problem]:
    if not isinstance(raters, dict) or not raters:
        return [
            Problem(
                _("must be an object of raters, each an object keyed by criterion code"), "raters"
            )
        ]
    if len(raters) > MAX_RATERS:
        return [Problem(_("at most %(limit)s raters") % {"limit": MAX_RATERS}, "raters")]
    problems = []
    for name, levels in raters.items():
        where = f"raters.{name.replace(chr(0), '')}"
        if not name.strip() or bounds.text_problem(name, MAX_NAME) is not None:
            problems.append(
                Problem(
                    _("a rater's name is a text of 1 to %(limit)s characters, without NUL")
                    % {"limit": MAX_NAME},
                    where,
                )
            )
        if not isinstance(levels, dict):
            problems.append(Problem(_("must be an object keyed by criterion code"), where))
            continue
        for code, value in levels.items():
            what = _level_problem(value)
            if what:
                problems.append(Problem(what, f"{where}.{code}"))
    return problems


def _inputs(levels: dict[str, Any]) -> dict[str, AnswerInput]:
    return {
        code: AnswerInput(value=v, na=na)
        for code, (v, na) in ((code, _value_na(value)) for code, value in levels.items())
    }


def _version_of(data: dict[str, Any]) -> RubricVersion | None:
    if not isinstance(data.get("rubric"), str) or not isinstance(data.get("version"), str):
        return None
    return RubricVersion.objects.filter(
        rubric__slug=data["rubric"], version=data["version"]
    ).first()


class RatersFile(PortableExtension):
    """``"raters": {"NAME": {"CODE": value or "na"}}``: without ``responses`` the answers
    are the consensus by the rubric's rule; with them, the raters travel beside them."""

    def prepare(self, data: Any) -> Any:
        if not isinstance(data, dict) or "raters" not in data:
            return data
        problems = _shape_problems(data["raters"])
        if problems:
            raise AssessmentError(problems)
        version = _version_of(data)
        if version is None:  # the import names the unknown rubric or version
            return {**data, "responses": data.get("responses", {})}
        criteria = {c.code: c for c in version.criteria.all()}
        scale = set(version.spec.scale)
        for name, levels in data["raters"].items():
            located = {f"raters.{name}.{code}": a for code, a in _inputs(levels).items()}
            located_criteria = {
                f"raters.{name}.{code}": criteria[code] for code in levels if code in criteria
            }
            problems.extend(Problem(p) for p in check_answers(located_criteria, scale, located))
        if problems:
            raise AssessmentError(problems)
        if "responses" in data:
            return data
        rule = consensus_rule(version)
        responses: dict[str, Any] = {}
        for code in criteria:
            given = [
                choice
                for levels in data["raters"].values()
                if (choice := choice_of(*_value_na(levels.get(code)))) is not None
            ]
            agreed = core.consensus(given, rule)
            if agreed is not None:
                responses[code] = {"value": choice_json(agreed)}
        return {**data, "responses": responses}

    def imported(self, assessment: Assessment, data: Any, *, actor: Any, source: str) -> None:
        if not isinstance(data, dict) or "raters" not in data:
            return
        panel = panel_of(assessment)
        if panel is None:
            panel = Panel.objects.create(assessment=assessment, kind=PANEL_SELF, lead=None)
        criteria = {c.code: c for c in assessment.rubric_version.criteria.all()}
        wanted = {
            name: {code: _value_na(value) for code, value in levels.items() if value is not None}
            for name, levels in data["raters"].items()
        }
        current = {
            rater.label: {
                r.criterion.code: (r.value, r.is_na)
                for r in rater.ratings.select_related("criterion")
                if r.is_answered
            }
            for rater in panel.raters.filter(user__isnull=True)
        }
        if _same(current, wanted):
            return
        panel.raters.filter(user__isnull=True).exclude(label__in=list(wanted)).delete()
        now = timezone.now()
        for name, levels in wanted.items():
            rater, _created = Rater.objects.get_or_create(
                panel=panel, label=name, user=None, defaults={"submitted_at": now}
            )
            if rater.submitted_at is None:
                rater.submitted_at = now
                rater.save(update_fields=["submitted_at"])
            rater.ratings.exclude(criterion__code__in=list(levels)).delete()
            for code, (value, na) in levels.items():
                Rating.objects.update_or_create(
                    rater=rater, criterion=criteria[code], defaults={"value": value, "is_na": na}
                )
        record(
            Action.ANSWER,
            assessment=assessment,
            actor=actor,
            source=source,
            field="panel:ratings",
            after={"raters": list(wanted)},
        )

    def export(self, assessment: Assessment) -> dict[str, Any]:
        panel = panel_of(assessment)
        if panel is None:
            return {}
        raters: dict[str, dict[str, Any]] = {}
        for rater in panel.raters.select_related("user").filter(submitted_at__isnull=False):
            name, n = rater.name, 2
            while name in raters:
                name, n = f"{rater.name} ({n})", n + 1
            raters[name] = {
                r.criterion.code: choice_json(choice_of(r.value, r.is_na))
                for r in rater.ratings.select_related("criterion").order_by("criterion__position")
                if r.is_answered
            }
        return {"raters": raters} if raters else {}


def _value_na(value: Any) -> tuple[Decimal | None, bool]:
    if value == "na":
        return None, True
    return (None if value is None else number(value)), False


def _same(current: dict[str, dict[str, Any]], wanted: dict[str, dict[str, Any]]) -> bool:
    if set(current) != set(wanted):
        return False
    return all(
        {c: (v, na) for c, (v, na) in current[name].items()}
        == {c: (v, na) for c, (v, na) in wanted[name].items()}
        for name in wanted
    )


PORTABLE = RatersFile()
