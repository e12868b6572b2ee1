"""The report as JSON for BI tools: the scoring contract's JSON, peer figures, the plan."""

from __future__ import annotations

from typing import Any

from qa_tool.assessments.selectors import scores_json
from qa_tool.benchmarks.rollup_selectors import rollup_json
from qa_tool.benchmarks.selectors import Figures, GroupFigures
from qa_tool.core.numbers import display_float
from rubrics.scoring import canonical_number

from .context import ReportContext

KEYS = ("n", "mean", "median", "p25", "p75", "min", "max", "percentile_rank")
KEY_OF = {**{key: key for key in KEYS}, "rank": "percentile_rank"}


def _figures(figures: Figures | None) -> dict[str, Any] | None:
    """Every statistic under its key; what the audience may not see is null, and
    ``withheld`` says why, so a BI tool can tell a suppressed figure from a missing one."""
    if figures is None:
        return None
    if not figures.shown:
        if not figures.reason:
            return None  # nobody has a score for it: nothing was held back
        return {
            **dict.fromkeys(KEYS),
            "withheld": dict.fromkeys(KEYS, figures.reason),
        }
    s = figures.summary
    body: dict[str, Any] = {
        "n": s.n,
        "mean": display_float(s.mean),
        "median": display_float(s.median),
        "p25": display_float(s.p25),
        "p75": display_float(s.p75),
        "min": display_float(s.min),
        "max": display_float(s.max),
        "percentile_rank": display_float(figures.rank),
    }
    if figures.withheld:
        body["withheld"] = {KEY_OF[name]: reason for name, reason in figures.withheld.items()}
    return body


def report_json(context: ReportContext) -> dict[str, Any]:
    """The whole report as plain JSON types, in the order BI tools have always read it."""
    body = _assessment_json(context)
    body["benchmark"] = _benchmark_json(context)
    # Domain scores per rater perspective (only perspectives with at least 3 raters).
    body["perspectives"] = _perspectives_json(context)
    body["trend"] = _trend_json(context)
    body["action_plan"] = _action_plan_json(context)
    body["action_plan_effort"] = _plan_effort_json(context)
    body["rollups"] = [rollup_json(r) for r in context.rollups]
    return body


def _assessment_json(context: ReportContext) -> dict[str, Any]:
    a = context.assessment
    body: dict[str, Any] = {
        "assessment": a.pk,
        "institution": a.institution.code,
        "rubric": a.rubric_version.rubric.slug,
        "version": a.rubric_version.version,
        "cycle": a.cycle.name,
        "subject": a.subject_code,
        "status": a.status,
        **scores_json(context.scores, context.responses),
    }
    if context.is_validated:
        body["validated_by"] = context.validated_by
        body["validated_at"] = context.validated_at.isoformat() if context.validated_at else None
    body["review_comment"] = a.review_comment
    return body


def _benchmark_json(context: ReportContext) -> dict[str, Any]:
    bench = context.benchmark
    return {
        "available": bench.allowed,
        "message": bench.message or None,
        # Institution users read a frozen release; the centre reads live figures.
        "live": not bench.anonymous,
        "published_at": bench.release.published_at.isoformat()
        if bench.anonymous and bench.release
        else None,
        "groups": [_group_json(g, bench.anonymous) for g in bench.groups],
    }


def _group_json(g: GroupFigures, anonymous: bool) -> dict[str, Any]:
    return {
        "group": g.key,
        "label": g.label,
        "shown": g.shown,
        "reason": g.reason or None,
        "n": g.n if g.shown else None,
        "overall": _figures(g.overall) if g.shown else None,
        "domains": {code: _figures(f) for code, f in g.domains.items()} if g.shown else {},
        # Which institutions are in a group is the centre's to see only.
        **({"institutions": [p.code for p in g.peers]} if g.shown and not anonymous else {}),
    }


def _perspectives_json(context: ReportContext) -> list[dict[str, Any]]:
    return [
        {
            "perspective": p.key,
            "label": p.label,
            "raters": p.raters,
            "overall": display_float(p.overall),
            "domains": {code: display_float(score) for code, score in p.domains.items()},
        }
        for p in context.perspectives
    ]


def _trend_json(context: ReportContext) -> list[dict[str, Any]]:
    return [
        {
            "cycle": p.cycle,
            "version": p.version,
            "status": p.status,
            "overall": display_float(p.overall),
            "domains": {code: display_float(score) for code, score in p.domains.items()},
        }
        for p in context.trend.points
    ]


def _action_plan_json(context: ReportContext) -> list[dict[str, Any]]:
    return [
        {
            "rank": line.rank,
            "tier": line.tier,
            "criterion": line.code,
            "current_level": line.current_label,
            "target_level": line.target_label,
            "action": line.action,
            "owner": line.owner,
            "due_date": line.due_date.isoformat() if line.due_date else None,
            "status": line.status,
            "gain": display_float(line.gain),
            "reviewer_comment": line.reviewer_comment,
            # The target level's estimate: a text in the report's language and hours.
            "effort": line.effort,
            "effort_hours": _hours(line.effort_hours),
        }
        for line in context.plan
    ]


def _hours(value: Any) -> Any:
    return None if value is None else canonical_number(value)


def _plan_effort_json(context: ReportContext) -> dict[str, Any] | None:
    """The open actions' estimated hours and how many of them have an estimate (null when
    the rubric's levels carry no estimate)."""
    total = context.plan_effort
    if total is None or not context.version.has_effort:
        return None
    return {
        "hours": _hours(total.hours),
        "estimated_actions": total.estimated,
        "open_actions": total.actions,
    }
