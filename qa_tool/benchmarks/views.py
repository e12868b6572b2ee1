"""The reviewers' comparison of named institutions, and its drill-down."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from qa_tool.access import get_assessment_for
from qa_tool.assessments.models import Cycle
from qa_tool.assessments.selectors import assessment_scores, responses_by_code
from qa_tool.core.roles import reviewer_required
from rubrics.i18n import localize
from rubrics.models import RubricVersion
from rubrics.templatetags.qa_format import heat, pct

from .comparison import comparison, ordered, page_peers
from .forms import CompareForm
from .models import BenchmarkRelease
from .peers import Peer
from .rollup_selectors import live_pool
from .selectors import (
    latest_release,
    release_changes,
    release_pool,
)
from .services import benchmark_release_publish

COMPARE_PAGE_SIZE = 100


@reviewer_required
def compare(request):
    form = CompareForm(request.GET)
    version, cycle = form.selection()
    context = {"form": form, "version": version, "cycle": cycle}
    if version is not None and cycle is not None:
        domains = [
            (d["code"], localize(d["title"], request.LANGUAGE_CODE))
            for d in version.content["domains"]
        ]
        codes = [code for code, _title in domains]
        found = comparison(
            rubric_version_id=version.pk,
            cycle_id=cycle.pk,
            codes=codes,
            filters=form.filters(),
        )
        form.offer_only(found.offered)
        columns = ["overall", *codes]
        sort = (
            request.GET.get("sort") if request.GET.get("sort") in ("name", *columns) else "overall"
        )
        descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"
        rows = ordered(found.summaries, sort=sort, descending=descending)
        stats = found.stats
        # 100 rows a page; the statistics stay those of every matching institution. Sorting
        # starts again at page 1; the pager keeps the filters and the sort.
        paginator = Paginator(rows, COMPARE_PAGE_SIZE)
        paginator.count = found.total  # stored with the figures: no count over the network
        page = paginator.get_page(request.GET.get("page"))
        page_query = request.GET.copy()
        page_query.pop("page", None)
        query = page_query.copy()
        query.pop("sort", None)
        query.pop("dir", None)
        context.update(
            domains=domains,
            rows=comparison_cells(page_peers(page.object_list), codes),
            total=found.total,
            page=page,
            page_query=page_query.urlencode(),
            stats=stats,
            sort=sort,
            descending=descending,
            query=query.urlencode(),
        )
    return render(request, "benchmarks/compare.html", context)


@dataclass(frozen=True)
class Cell:
    text: str
    heat: str
    href: str = ""


@dataclass(frozen=True)
class ComparisonRow:
    peer: Peer
    href: str
    overall: Cell
    domains: list[Cell]


# A number no assessment has, replaced in the reversed URL: one reverse() per page instead
# of one per cell (it was 37 % of the page's time at 5,000 institutions).
_SLOT = 987654321


def comparison_cells(peers: list[Peer], codes: list[str]) -> list[ComparisonRow]:
    """The heat table's rows, formatted here rather than by template tags in a loop."""
    score_url = reverse("assessments:score", args=[_SLOT])
    drill_urls = {code: reverse("benchmarks:drill_down", args=[_SLOT, code]) for code in codes}
    rows = []
    for peer in peers:
        slot = str(peer.assessment_id)
        domains = []
        for code in codes:
            score = peer.domains.get(code)
            href = drill_urls[code].replace(str(_SLOT), slot, 1)
            domains.append(Cell(text=pct(score), heat=heat(score), href=href))
        rows.append(
            ComparisonRow(
                peer=peer,
                href=score_url.replace(str(_SLOT), slot, 1),
                overall=Cell(text=pct(peer.overall), heat=heat(peer.overall)),
                domains=domains,
            )
        )
    return rows


@reviewer_required
def drill_down(request, assessment_id: int, domain_code: str):
    assessment = get_assessment_for(request.user, assessment_id)
    version = assessment.rubric_version
    domain = version.domains.filter(code=domain_code).first()
    if domain is None:
        raise Http404
    responses = responses_by_code(assessment)
    scores = assessment_scores(assessment, responses)
    result = scores.headline
    validated = scores.validated is not None
    domain_result = next(d for d in result.domains if d.code == domain_code)
    criteria = {c.code: c for c in domain.criteria.all()}
    lines = [
        {
            "criterion": criteria[c.code],
            "result": c,
            "level_label": version.level_label(c.value) if c.value is not None else "",
            "response": responses.get(c.code),
        }
        for c in domain_result.criteria
    ]
    return render(
        request,
        "benchmarks/drill_down.html",
        {
            "assessment": assessment,
            "domain": domain,
            "domain_result": domain_result,
            "lines": lines,
            "validated": validated,
        },
    )


@never_cache
@reviewer_required
def releases(request: HttpRequest, version_id: int, cycle_id: int) -> HttpResponse:
    """A cycle's published peer figures, and the button that publishes them now.

    Institution users see only what was published here, so a new submission never
    shows up in their figures on its own, where it could be subtracted out.
    """
    version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=version_id)
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    minimum = settings.BENCHMARK_MIN_GROUP
    latest = latest_release(rubric_version_id=version.pk, cycle_id=cycle.pk)
    live = live_pool(rubric_version=version, cycle_id=cycle.pk)
    changes = (
        len(live) if latest is None else release_changes(live=live, released=release_pool(latest))
    )
    # A release that differs from the last one in a few institutions only lets anyone
    # subtract the two and read those institutions' scores: it needs a deliberate yes.
    risky = latest is not None and 0 < changes < minimum
    if request.method == "POST":
        _publish(request, version, cycle, changes=changes, risky=risky)
        return redirect("benchmarks:releases", version_id=version.pk, cycle_id=cycle.pk)
    listed = (
        BenchmarkRelease.objects.filter(rubric_version=version, cycle=cycle)
        .select_related("published_by")
        .annotate(institutions=Count("scores"))
        .order_by("-published_at", "-pk")
    )
    return render(
        request,
        "benchmarks/releases.html",
        {
            "version": version,
            "cycle": cycle,
            "releases": listed,
            "live": len(live),
            "changes": changes,
            "risky": risky,
            "published": latest is not None,
        },
    )


def _publish(
    request: HttpRequest, version: RubricVersion, cycle: Cycle, *, changes: int, risky: bool
) -> None:
    """Publish now, unless so few institutions changed that it needs a deliberate yes."""
    if risky and not request.POST.get("anyway"):
        messages.error(
            request,
            ngettext(
                "Not published: only %(changes)s institution changed since the last "
                "release, and comparing the two releases would show its scores. Wait for "
                "more submissions, or confirm to publish anyway.",
                "Not published: only %(changes)s institutions changed since the last "
                "release, and comparing the two releases would show their scores. Wait for "
                "more submissions, or confirm to publish anyway.",
                changes,
            )
            % {"changes": changes},
        )
        return
    release = benchmark_release_publish(
        rubric_version_id=version.pk, cycle_id=cycle.pk, actor=request.user
    )
    count = release.scores.count()
    messages.success(
        request,
        ngettext(
            "Peer figures published: %(count)s institution.",
            "Peer figures published: %(count)s institutions.",
            count,
        )
        % {"count": count},
    )
    if not release.figures.exists():
        messages.info(
            request,
            _(
                "Each institution's figures are being stored by the background worker; "
                "until then its pages compute them from the release, more slowly."
            ),
        )
