"""The report as JSON for BI tools: the scoring contract's JSON, peer figures, the plan."""

from __future__ import annotations

from typing import Any

from qa_tool.assessments.crosswalks import ReadThrough
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
    body["council_summary"] = _summary_json(context)
    body["action_plan_effort"] = _plan_effort_json(context)
    body["rollups"] = [rollup_json(r) for r in context.rollups]
    body["crosswalks"] = [
        {"id": c.pk, "target": c.target.rubric.slug, "target_version": c.target.version}
        for c in context.crosswalks
    ]
    body["read_through"] = read_through_json(context.read_through)
    return body


def read_through_json(through: ReadThrough | None) -> dict[str, Any] | None:
    """The answers read through the chosen crosswalk (``?through=ID``, default the first)."""
    if through is None:
        return None
    cover = through.coverage
    return {
        "crosswalk": through.crosswalk.pk,
        "target": through.crosswalk.target.rubric.slug,
        "target_version": through.target_version,
        "target_criteria": cover.total,
        "full_percent": display_float(cover.full_percent),
        "partial_percent": display_float(cover.partial_percent),
        "covered_percent": display_float(cover.covered_percent),
        "without_evidence": cover.without_evidence,
        "criteria": [
            {
                "code": t.code,
                "coverage": t.status,
                "links": [
                    {
                        "strength": link.strength,
                        "evidence": link.evidence,
                        "note": link.note or None,
                        "sources": [
                            {
                                "code": s.code,
                                "level": s.level_label or None,
                                "links": s.links,
                                "files": s.files,
                            }
                            for s in link.sources
                        ],
                    }
                    for link in t.links
                ],
            }
            for t in through.targets
        ],
    }


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
        # The group the report's charts and domain table compare with.
        "selected": bench.selected.key if bench.selected else None,
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


def _status_json(counts) -> dict[str, int]:
    return {c.status: c.count for c in counts}


def _change_json(change) -> dict[str, Any]:
    return {
        "domain": change.code or None,
        "last_cycle": display_float(change.previous),
        "this_cycle": display_float(change.current),
        "change": display_float(change.change),
        "redefined": change.redefined,
    }


def _summary_json(context: ReportContext) -> dict[str, Any]:
    """The figures of the PDF's council summary page, the same numbers in the same order."""
    summary = context.summary
    result = context.result
    previous_plan = summary.previous_plan
    return {
        "score": display_float(result.score),
        "band": context.band_label or None,
        "passed": result.passed if context.version.pass_rule else None,
        "validated_by": context.validated_by or None,
        "validated_at": context.validated_at.isoformat() if context.validated_at else None,
        "top_actions": [
            {
                "rank": line.rank,
                "criterion": line.code,
                "action": line.action,
                "owner": line.owner or None,
                "due_date": line.due_date.isoformat() if line.due_date else None,
                "status": line.status,
                "gain": display_float(line.gain),
            }
            for line in summary.top_actions
        ],
        "actions_by_status": _status_json(summary.actions_by_status),
        "actions_without_owner": summary.without_owner,
        "actions_without_due_date": summary.without_due_date,
        "previous_cycle": summary.previous_cycle,
        "overall_change": _change_json(summary.overall_change) if summary.overall_change else None,
        "domain_changes": [_change_json(d) for d in summary.domain_changes],
        "previous_actions": None
        if previous_plan is None
        else {
            "cycle": previous_plan.cycle,
            "total": previous_plan.total,
            "by_status": _status_json(previous_plan.by_status),
            "not_done": [
                {
                    "criterion": line.code,
                    "action": line.action,
                    "owner": line.owner or None,
                    "status": line.status,
                }
                for line in previous_plan.not_done
            ],
        },
    }


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
