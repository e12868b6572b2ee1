"""Roll-up reads: an institution's reviewed programmes or courses in a cycle, from stored
score summaries (never by rescoring), and institutions compared on their roll-up figures.

Each read is a fixed number of queries whatever the number of units: the summaries, their
stored criterion levels, the courses' programmes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from qa_tool.assessments.models import Cycle
from qa_tool.core.numbers import display_float
from qa_tool.institutions.models import Institution, Level, UnitProgramme
from rubrics.models import RubricVersion

from .audience import Audience
from .models import BenchmarkRelease, CriterionScore, ScoreSummary
from .peers import ROLLUP_ASSESSMENT
from .released_figures import stored_groups
from .rollup import PASS_RATE, CriterionLevel, Rollup, UnitResult, rollup, share
from .selectors import (
    Peer,
    benchmarks_allowed,
    latest_release,
    peer_groups,
    peer_pool,
    release_pool,
)
from .statistics import summarise


@dataclass(frozen=True)
class RollupReport:
    institution: Institution
    rubric_version: RubricVersion
    cycle: Cycle
    figures: Rollup
    titles: dict[str, str]  # criterion code -> text in English (pages localise themselves)
    programme_titles: dict[str, str]

    @property
    def level(self) -> str:
        return self.rubric_version.level


def _fraction(value: Any) -> Fraction | None:
    return None if value is None else Fraction(value)


def unit_versions_used(*, institution: Institution, cycle: Cycle) -> list[RubricVersion]:
    """The programme- and course-level rubric versions with reviewed units of the
    institution in the cycle (one query), in slug and version order."""
    ids = (
        ScoreSummary.objects.filter(
            counts=True,
            assessment__institution=institution,
            assessment__cycle=cycle,
            assessment__subject__isnull=False,
        )
        .values("assessment__rubric_version_id")
        .distinct()
    )
    return list(
        RubricVersion.objects.filter(pk__in=ids)
        .select_related("rubric")
        .order_by("rubric__slug", "version")
    )


def rollup_version(*, slug: str, version: str | None, institution: Institution, cycle: Cycle):
    """The version asked for, or the latest one the institution used in the cycle (or the
    latest imported)."""
    versions = RubricVersion.objects.filter(rubric__slug=slug).select_related("rubric")
    if version:
        return versions.filter(version=version).first()
    used = versions.filter(assessments__institution=institution, assessments__cycle=cycle)
    return used.order_by("-pk").first() or versions.order_by("-pk").first()


def unit_results(
    *, institution_ids: Any, rubric_version: RubricVersion, cycle: Cycle
) -> dict[int, list[UnitResult]]:
    """Every reviewed unit's stored result, by institution id (three queries)."""
    summaries = ScoreSummary.objects.filter(
        counts=True,
        assessment__rubric_version=rubric_version,
        assessment__cycle=cycle,
        assessment__subject__isnull=False,
    ).filter(Q(assessment__institution_id__in=institution_ids))
    rows = list(
        summaries.values(
            "pk",
            "overall",
            "passed",
            "assessment__institution_id",
            "assessment__subject_id",
            "assessment__subject__code",
        )
    )
    levels: dict[int, list[CriterionLevel]] = {}
    for summary_id, code, value, at_top, below in CriterionScore.objects.filter(
        summary__in=summaries
    ).values_list("summary_id", "code", "value", "at_top", "below_critical"):
        levels.setdefault(summary_id, []).append(
            CriterionLevel(code, _fraction(value), at_top, below)
        )
    programmes: dict[int, list[str]] = {}
    if rubric_version.level == Level.COURSE:
        for course_id, code in (
            UnitProgramme.objects.filter(course_id__in=summaries.values("assessment__subject_id"))
            .order_by("programme__code")
            .values_list("course_id", "programme__code")
        ):
            programmes.setdefault(course_id, []).append(code)
    out: dict[int, list[UnitResult]] = {}
    for r in rows:
        unit_id, code = r["assessment__subject_id"], r["assessment__subject__code"]
        own = (code,) if rubric_version.level == Level.PROGRAMME else None
        out.setdefault(r["assessment__institution_id"], []).append(
            UnitResult(
                unit_code=code,
                programmes=own or tuple(programmes.get(unit_id, ())) or (None,),
                overall=_fraction(r["overall"]),
                passed=r["passed"],
                criteria=tuple(levels.get(r["pk"], ())),
            )
        )
    return out


def _criteria(version: RubricVersion) -> list[str]:
    return [c["code"] for d in version.content["domains"] for c in d["criteria"]]


def institution_rollup(
    *, institution: Institution, rubric_version: RubricVersion, cycle: Cycle
) -> RollupReport:
    """The institution's roll-up of one programme- or course-level rubric version in a cycle."""
    results = unit_results(
        institution_ids=[institution.pk], rubric_version=rubric_version, cycle=cycle
    ).get(institution.pk, [])
    codes = _criteria(rubric_version)
    critical = frozenset(
        c["code"] for d in rubric_version.content["domains"] for c in d["criteria"] if c["critical"]
    )
    figures = rollup(
        results,
        codes=codes,
        spec=rubric_version.spec,
        has_pass_rule=rubric_version.pass_rule is not None,
        critical=critical,
    )
    wanted = [p.code for p in figures.programmes if p.code]
    titles = dict(institution.units.filter(code__in=wanted).values_list("code", "title"))
    return RollupReport(
        institution=institution,
        rubric_version=rubric_version,
        cycle=cycle,
        figures=figures,
        titles={
            c["code"]: c["text"].get("en", "")
            for d in rubric_version.content["domains"]
            for c in d["criteria"]
        },
        programme_titles=titles,
    )


def rollup_peer_pool(*, rubric_version: RubricVersion, cycle_id: int) -> list[Peer]:
    """Institutions with reviewed units of this rubric version in the cycle, each as a
    peer whose "overall" is the median of its units' scores and whose ``pass_rate`` is
    its share of units passed: the figures the unit-level benchmark compares (three
    queries whatever the number of units)."""
    institutions = list(
        Institution.objects.filter(
            assessments__rubric_version=rubric_version,
            assessments__cycle_id=cycle_id,
            assessments__subject__isnull=False,
            assessments__score_summary__counts=True,
        )
        .distinct()
        .order_by("code")
    )
    results = unit_results(
        institution_ids=[i.pk for i in institutions],
        rubric_version=rubric_version,
        cycle=cycle_id,
    )
    has_rule = rubric_version.pass_rule is not None
    peers = []
    for institution in institutions:
        units = results.get(institution.pk, [])
        if not units:
            continue
        passed = sum(1 for u in units if u.passed)
        peers.append(
            Peer(
                institution_id=institution.pk,
                assessment_id=ROLLUP_ASSESSMENT,
                summary_id=0,
                code=institution.code,
                name=institution.name,
                country=str(institution.country),
                region=institution.region,
                type=institution.type,
                size_band=institution.size_band,
                delivery_mode=institution.delivery_mode,
                overall=summarise(u.overall for u in units if u.overall is not None).median,
                domains={PASS_RATE: share(passed, len(units)) if has_rule else None},
            )
        )
    return peers


def live_pool(*, rubric_version: RubricVersion, cycle_id: int) -> list[Peer]:
    """The live peers a release of this rubric version freezes: institutions' assessments
    for an institution rubric, institutions' roll-up figures for a programme or course
    rubric."""
    if rubric_version.is_unit_level:
        return rollup_peer_pool(rubric_version=rubric_version, cycle_id=cycle_id)
    return peer_pool(rubric_version_id=rubric_version.pk, cycle_id=cycle_id)


@dataclass
class RollupBenchmark:
    allowed: bool
    message: str = ""
    groups: list[Any] = field(default_factory=list)
    release: BenchmarkRelease | None = None


def rollup_benchmark(
    *, user: Any, institution: Institution, rubric_version: RubricVersion, cycle: Cycle
) -> RollupBenchmark:
    """Institutions compared on their roll-up figures (median unit score, pass rate) with
    the assessment benchmarks' rules (``Audience``): the centre sees live figures; an
    institution's people see the latest release a reviewer published, only once the
    institution has reviewed units itself (give to get), anonymous, with groups of at least
    ``QA_BENCHMARK_MIN_GROUP`` others, per-figure suppression and no differencing.

    Institution users' figures are read from those stored when the release was published
    (``released_figures``, one row), and computed from the release when none are stored or
    they no longer match (an older release, other settings)."""
    audience = Audience.of(user)
    profile: Any = None
    codes = [PASS_RATE]
    release = latest_release(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk)
    if audience.anonymous:
        counted = ScoreSummary.objects.filter(
            counts=True,
            assessment__institution=institution,
            assessment__rubric_version=rubric_version,
            assessment__cycle=cycle,
            assessment__subject__isnull=False,
        ).exists()
        if not benchmarks_allowed(audience, counted):
            return RollupBenchmark(
                allowed=False,
                message=_(
                    "Peer figures appear once your institution has units reviewed with this "
                    "rubric in this cycle."
                ),
            )
        if release is None:
            return RollupBenchmark(
                allowed=False,
                message=_(
                    "Peer figures for this cycle will appear when the coordinating centre "
                    "publishes them."
                ),
            )
        stored = stored_groups(
            release, institution=institution, assessment_id=ROLLUP_ASSESSMENT, codes=codes
        )
        if stored is not None:
            return RollupBenchmark(allowed=True, groups=stored, release=release)
        pool = release_pool(release)
        own = next((p for p in pool if p.institution_id == institution.pk), None)
        # Groups follow the institution's fields as released (see ``peer_groups``).
        profile = own
    else:
        pool = rollup_peer_pool(rubric_version=rubric_version, cycle_id=cycle.pk)
        own = next((p for p in pool if p.institution_id == institution.pk), None)
    groups = peer_groups(
        institution=institution,
        own=own,
        pool=pool,
        domain_codes=codes,
        anonymous=audience.anonymous,
        profile=profile,
    )
    return RollupBenchmark(allowed=True, groups=groups, release=release)


def _pct(value: Fraction | None) -> float | None:
    return display_float(value, 1)


def _summary_json(figures: Rollup) -> dict[str, Any]:
    s = figures.score
    return {
        "units": figures.units,
        "passed": figures.passed if figures.has_pass_rule else None,
        "pass_rate": _pct(figures.pass_rate),
        "score": {
            "mean": _pct(s.mean),
            "median": _pct(s.median),
            "min": _pct(s.min),
            "max": _pct(s.max),
        },
    }


def _criterion_json(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "rated": c.rated,
        "at_top": c.at_top,
        "top_rate": _pct(c.top_rate),
        "below_critical": c.below_critical,
        "below_critical_rate": _pct(c.below_critical_rate),
        "mean_level": _pct(c.mean_level),
    }


def rollup_json(report: RollupReport) -> dict[str, Any]:
    """The roll-up as printed by ``rollup --json`` and downloaded from the roll-up page.
    Percentages with one decimal, half away from zero; null where nothing was rated or the
    rubric has no pass rule."""
    f = report.figures
    return {
        "institution": report.institution.code,
        "rubric": report.rubric_version.rubric.slug,
        "version": report.rubric_version.version,
        "cycle": report.cycle.name,
        "level": report.level,
        **_summary_json(f),
        "criteria": [_criterion_json(c) for c in f.criteria],
        "weakest": [c.code for c in f.weakest],
        "programmes": [
            {
                "code": p.code,
                "title": report.programme_titles.get(p.code or "", None),
                **_summary_json(p.figures),
                "weakest": [c.code for c in p.figures.weakest],
            }
            for p in f.programmes
        ],
    }
