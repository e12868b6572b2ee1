"""Keeping score summaries in step with assessments."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import transaction

from qa_tool.assessments.models import Assessment, Status
from qa_tool.assessments.selectors import assessment_scores
from qa_tool.core.numbers import rounded
from qa_tool.institutions.models import User
from rubrics import scoring

from .models import BenchmarkRelease, CriterionScore, DomainScore, ReleasedScore, ScoreSummary

COUNTED = (Status.SUBMITTED, Status.VALIDATED)


def _dec(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return rounded(value, 6)


def score_summary_refresh(*, assessment: Assessment) -> ScoreSummary:
    """Rewrite the assessment's summary: validated scores where a reviewer validated."""
    scores = assessment_scores(assessment)
    own, used = scores.self_assessed, scores.headline
    validated = scores.validated is not None
    with transaction.atomic():
        summary, _ = ScoreSummary.objects.update_or_create(
            assessment=assessment,
            defaults={
                "source": ScoreSummary.Source.VALIDATED if validated else ScoreSummary.Source.SELF,
                "overall": _dec(used.score),
                "self_overall": _dec(own.score),
                "completion": _dec(used.completion),
                "band_position": used.band.position if used.band else None,
                "passed": used.passed,
                "counts": assessment.status in COUNTED,
            },
        )
        summary.domains.all().delete()
        own_domains = {d.code: d.score for d in own.domains}
        DomainScore.objects.bulk_create(
            DomainScore(
                summary=summary,
                code=d.code,
                score=_dec(d.score),
                self_score=_dec(own_domains[d.code]),
            )
            for d in used.domains
        )
        summary.criteria.all().delete()
        CriterionScore.objects.bulk_create(
            criterion_scores(summary=summary, spec=assessment.rubric_version.spec, result=used)
        )
    return summary


def criterion_scores(
    *, summary: ScoreSummary, spec: scoring.RubricSpec, result: scoring.Result
) -> list[CriterionScore]:
    """Each criterion's headline level, and whether it is at the top of the scale or below
    the pass rule's critical minimum (a critical criterion only)."""
    top = max(spec.scale)
    critical = {c.code for d in spec.domains for c in d.criteria if c.critical}
    minimum = spec.pass_rule.critical_min_value if spec.pass_rule else None
    rows = []
    for domain in result.domains:
        for c in domain.criteria:
            rated = c.value is not None and not c.na
            rows.append(
                CriterionScore(
                    summary=summary,
                    code=c.code,
                    value=rounded(c.value, 4) if rated and c.value is not None else None,
                    rated=rated,
                    at_top=rated and c.value == top,
                    below_critical=bool(
                        rated
                        and minimum is not None
                        and c.code in critical
                        and c.value is not None
                        and c.value < minimum
                    ),
                )
            )
    return rows


def score_summaries_rebuild() -> int:
    """Rewrite every summary (after a change of the scoring rules, or for old data)."""
    count = 0
    for assessment in Assessment.objects.select_related("rubric_version").iterator():
        score_summary_refresh(assessment=assessment)
        count += 1
    return count


def benchmark_release_publish(
    *,
    rubric_version_id: int,
    cycle_id: int,
    actor: User | None,
    background: bool | None = None,
) -> BenchmarkRelease:
    """Freeze the cycle's peer figures as they stand: institution users see these until
    the next release, whatever is submitted meanwhile.

    Each institution's figures (its roll-up figures, for a programme or course rubric)
    are then stored (``released_figures``): inline for a pool of up to
    ``BENCHMARK_FIGURES_INLINE_MAX`` institutions, otherwise (or with ``background``) by
    the background worker once the release is committed. Until they are stored, readers
    compute them from the release: the same figures, only slower.
    """
    from rubrics.models import RubricVersion

    from .released_figures import release_figures_store
    from .rollup_selectors import live_pool
    from .tasks import store_release_figures

    with transaction.atomic():
        version = RubricVersion.objects.get(pk=rubric_version_id)
        pool = live_pool(rubric_version=version, cycle_id=cycle_id)
        release = BenchmarkRelease.objects.create(
            rubric_version_id=rubric_version_id, cycle_id=cycle_id, published_by=actor
        )
        ReleasedScore.objects.bulk_create(
            ReleasedScore(
                release=release,
                institution_id=peer.institution_id,
                assessment_id=peer.assessment_id,
                overall=_dec(peer.overall),
                domains={
                    code: None if score is None else str(_dec(score))
                    for code, score in peer.domains.items()
                },
                country=peer.country,
                region=peer.region,
                type=peer.type,
                size_band=peer.size_band,
                delivery_mode=peer.delivery_mode or "",
            )
            for peer in pool
        )
        if background or (background is None and len(pool) > settings.BENCHMARK_FIGURES_INLINE_MAX):
            pk = release.pk
            transaction.on_commit(lambda: store_release_figures.enqueue(pk))
        else:
            release_figures_store(release=release)
    return release
