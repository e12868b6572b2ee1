"""An institution's scores across cycles for one rubric, with the domains whose
definition changed between cycles."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from qa_tool.assessments.models import Assessment

from .models import ScoreSummary
from .peers import as_fraction


@dataclass
class TrendPoint:
    cycle: str
    version: str
    status: str
    assessment_id: int
    overall: Fraction | None
    domains: dict[str, Fraction | None]


@dataclass
class Trend:
    points: list[TrendPoint]
    domain_codes: list[str]
    changed: dict[str, list[str]]  # domain code -> cycles where its definition changed


def _domain_signature(content: dict[str, Any], code: str) -> tuple | None:
    for domain in content["domains"]:
        if domain["code"] == code:
            return (
                domain["weight"],
                tuple((c["code"], c["weight"], c["critical"]) for c in domain["criteria"]),
                tuple(level["value"] for level in content["scale"]),
            )
    return None


def domain_redefined(before: dict[str, Any], after: dict[str, Any], code: str) -> bool:
    """Whether domain ``code`` is defined differently in two rubric versions' contents
    (weight, criteria, scale): its scores across the two compare with care."""
    return _domain_signature(before, code) != _domain_signature(after, code)


def institution_trend(*, assessment: Assessment) -> Trend:
    """The institution's scores across cycles for the same rubric slug (any version).

    Domains are matched by code. A domain whose definition (weight, criteria,
    scale) differs from the previous cycle's version is reported as changed.
    """
    summaries = list(
        ScoreSummary.objects.filter(
            assessment__institution_id=assessment.institution_id,
            assessment__rubric_version__rubric_id=assessment.rubric_version.rubric_id,
            assessment__subject_id=assessment.subject_id,
        )
        .select_related("assessment__cycle", "assessment__rubric_version")
        .prefetch_related("domains")
        .order_by("assessment__cycle__name")
    )
    points, changed = [], {}
    codes: list[str] = [d["code"] for d in assessment.rubric_version.content["domains"]]
    previous_content = None
    for summary in summaries:
        a = summary.assessment
        content = a.rubric_version.content
        domains = {d.code: as_fraction(d.score) for d in summary.domains.all()}
        for code in domains:
            if code not in codes:
                codes.append(code)
            if previous_content is not None and domain_redefined(previous_content, content, code):
                changed.setdefault(code, []).append(a.cycle.name)
        points.append(
            TrendPoint(
                cycle=a.cycle.name,
                version=a.rubric_version.version,
                status=a.status,
                assessment_id=a.pk,
                overall=as_fraction(summary.overall),
                domains=domains,
            )
        )
        previous_content = content
    return Trend(points=points, domain_codes=codes, changed=changed)
