"""The reviewers' comparison of named institutions, and its drill-down."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from qa_tool.access import get_assessment_for
from qa_tool.assessments.selectors import assessment_scores, responses_by_code
from qa_tool.core.roles import reviewer_required
from rubrics.i18n import localize

from .forms import CompareForm
from .selectors import comparison_rows, peer_pool
from .statistics import summarise


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
        pool = peer_pool(rubric_version_id=version.pk, cycle_id=cycle.pk)
        filters = form.filters()
        rows = comparison_rows(pool, **filters)
        columns = ["overall", *[code for code, _title in domains]]
        sort = (
            request.GET.get("sort") if request.GET.get("sort") in ("name", *columns) else "overall"
        )
        descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"

        def key(peer):
            if sort == "name":
                return (peer.name.lower(),)
            value = peer.overall if sort == "overall" else peer.domains.get(sort)
            # Missing scores always sort last.
            return (value is None, -(value or 0) if descending else (value or 0))

        rows = sorted(rows, key=key)
        if sort == "name" and descending:
            rows.reverse()
        stats = {
            "overall": summarise([p.overall for p in rows if p.overall is not None]),
            **{
                code: summarise(
                    [p.domains.get(code) for p in rows if p.domains.get(code) is not None]
                )
                for code, _title in domains
            },
        }
        query = request.GET.copy()
        query.pop("sort", None)
        query.pop("dir", None)
        context.update(
            domains=domains,
            rows=rows,
            stats=stats,
            sort=sort,
            descending=descending,
            query=query.urlencode(),
        )
    return render(request, "benchmarks/compare.html", context)


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
