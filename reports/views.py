"""Report downloads: the same permissions as the pages they come from."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from qa_tool.assessments.access import get_assessment_for
from qa_tool.benchmarks.forms import CompareForm
from qa_tool.benchmarks.selectors import comparison_rows, peer_pool
from rubrics.i18n import localize

from .context import build_report_context
from .exporters import EXPORTERS


def _filename(assessment, extension: str) -> str:
    parts = [
        assessment.institution.code,
        assessment.rubric_version.rubric.slug,
        assessment.cycle.name,
        get_language(),
    ]
    return slugify("-".join(parts)) + "." + extension


# Reports hold an institution's assessment: no copy may stay in a browser or proxy cache.
@never_cache
@login_required
def assessment_report(request, assessment_id: int, fmt: str):
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404
    assessment = get_assessment_for(request.user, assessment_id)
    context = build_report_context(
        assessment=assessment, user=request.user, group=request.GET.get("group")
    )
    if fmt == "json":
        return JsonResponse(
            exporter.render(context), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    response = HttpResponse(exporter.render(context), content_type=exporter.content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, fmt)}"'
    return response


@never_cache
@login_required
def comparison_export(request):
    if not request.user.sees_all_institutions:
        raise PermissionDenied
    form = CompareForm(request.GET or None)
    version, cycle = form.selection()
    if version is None or cycle is None:
        raise Http404
    domains = [
        (d["code"], localize(d["title"], get_language())) for d in version.content["domains"]
    ]
    peers = comparison_rows(
        peer_pool(rubric_version_id=version.pk, cycle_id=cycle.pk), **form.filters()
    )
    peers.sort(key=lambda p: (p.overall is None, -(p.overall or 0), p.name))
    from .xlsx import render_comparison_xlsx

    title = f"{version.display_title} {version.version} · {cycle.name}"
    content = render_comparison_xlsx(peers=peers, domains=domains, title=title)
    response = HttpResponse(content, content_type=EXPORTERS["xlsx"].content_type)
    name = slugify(f"comparison-{version.rubric.slug}-{version.version}-{cycle.name}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
