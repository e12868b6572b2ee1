"""Report downloads: the same permissions as the pages they come from."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from qa_tool.access import get_assessment_for
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.forms import CompareForm
from qa_tool.benchmarks.selectors import comparison_rows, peer_pool
from qa_tool.core.roles import reviewer_required
from rubrics.i18n import localize

from .context import build_report_context
from .exporters import EXPORTERS
from .jobs import export_report_request


# Reports hold an institution's assessment: no copy may stay in a browser or proxy cache.
@never_cache
@login_required
def assessment_report(request, assessment_id: int, fmt: str):
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404
    assessment = get_assessment_for(request.user, assessment_id)
    if fmt == "pdf" and (
        assessment.rubric_version.criteria.count() > settings.QA_INLINE_PDF_MAX_CRITERIA
    ):
        # A long PDF takes longer than a request should: the worker renders it and the
        # exports page shows its progress.
        export_report_request(
            user=request.user,
            assessment=assessment,
            fmt=fmt,
            language=get_language(),
            group=request.GET.get("group"),
        )
        messages.info(request, _("This report is long: it is being prepared in the background."))
        return redirect("reports:exports")
    context = build_report_context(
        assessment=assessment,
        audience=Audience.of(request.user),
        group=request.GET.get("group"),
    )
    filename, content_type, content = exporter.render(context)
    response = HttpResponse(content, content_type=content_type)
    # Every format, JSON included, is a download: browsers save it under a useful name.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@reviewer_required
def comparison_export(request):
    form = CompareForm(request.GET)
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
