"""The "how scoring works" page for one rubric version, drawn from its own settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from . import scoring
from .models import RubricVersion


@dataclass
class CriterionWeight:
    code: str
    text: Any
    weight: Fraction
    critical: bool
    allow_na: bool
    share: Fraction  # of its domain, or of the whole with aggregate: criteria


@dataclass
class DomainWeight:
    code: str
    title: Any
    weight: Fraction
    share: Fraction | None  # of the overall score with aggregate: domains
    criteria: list[CriterionWeight] = field(default_factory=list)


def _share(part: Fraction, whole: Fraction) -> Fraction:
    return part / whole * 100 if whole else Fraction(0)


def scoring_explanation(version: RubricVersion) -> dict[str, Any]:
    """Everything the page shows: scale, weights and their shares, bands, pass rule,
    consensus rule (where the rubric has one)."""
    domains = list(version.domains.prefetch_related("criteria").order_by("position", "pk"))
    by_criteria = version.aggregate == "criteria"
    domain_total = sum((Fraction(d.weight) for d in domains), Fraction(0))
    every_criterion = [c for d in domains for c in d.criteria.all()]
    all_total = sum((Fraction(c.weight) for c in every_criterion), Fraction(0))
    rows = []
    for domain in domains:
        criteria = list(domain.criteria.all())
        own_total = sum((Fraction(c.weight) for c in criteria), Fraction(0))
        row = DomainWeight(
            code=domain.code,
            title=domain.title,
            weight=Fraction(domain.weight),
            share=None if by_criteria else _share(Fraction(domain.weight), domain_total),
        )
        for criterion in criteria:
            weight = Fraction(criterion.weight)
            row.criteria.append(
                CriterionWeight(
                    code=criterion.code,
                    text=criterion.text,
                    weight=weight,
                    critical=criterion.critical,
                    allow_na=criterion.allow_na,
                    share=_share(weight, all_total if by_criteria else own_total),
                )
            )
        rows.append(row)
    spec = version.spec
    return {
        # The contract's own reading of each level (normalise: max or range).
        "scale": [
            {**level, "fraction": spec.level_percent(scoring.exact(level["value"]))}
            for level in version.scale
        ],
        "top": spec.max_value,
        "bottom": spec.min_value,
        "by_range": spec.normalise == scoring.NORMALISE_RANGE,
        "has_score": spec.has_score,
        "gates": [
            {"code": d.code, "min_score": d.min_score, "min_points": d.min_points}
            for d in spec.domains
            if d.gated
        ],
        "by_criteria": by_criteria,
        "domains": rows,
        "bands": version.bands,
        "pass_rule": version.pass_rule,
        "critical_count": sum(1 for c in every_criterion if c.critical),
    }
