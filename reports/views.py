"""Report downloads: the same permissions as the pages they come from."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_countries import countries

from qa_tool.access import get_assessment_for
from qa_tool.assessments.models import Status
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.forms import CompareForm
from qa_tool.benchmarks.selectors import comparison_extras, comparison_rows, peer_pool
from qa_tool.core.roles import reviewer_required
from qa_tool.institutions.models import Region
from rubrics.i18n import localize

from .context import build_report_context
from .exporters import EXPORTERS
from .forms import ReportGroupForm
from .jobs import export_report_request
from .results import results_page


# Reports hold an institution's assessment: no copy may stay in a browser or proxy cache.
@never_cache
@login_required
def assessment_report(request, assessment_id: int, fmt: str):
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404
    assessment = get_assessment_for(request.user, assessment_id)
    group = request.GET.get("group") or None
    through = request.GET.get("through")
    audience = Audience.of(request.user)
    context = None
    if group is not None:
        context = build_report_context(
            assessment=assessment, audience=audience, group=group, through=through
        )
        form = ReportGroupForm(request.GET, benchmark=context.benchmark)
        if not form.is_valid():
            # A group the viewer may not see (or none such): the results page says why,
            # rather than a report compared with another group than the one asked for.
            return results_page(request, context, form, status=400)
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
            group=group,
        )
        messages.info(request, _("This report is long: it is being prepared in the background."))
        return redirect("reports:exports")
    if context is None:
        context = build_report_context(
            assessment=assessment, audience=audience, group=group, through=through
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
    language = get_language()
    domains = [(d["code"], localize(d["title"], language)) for d in version.content["domains"]]
    filters = form.filters()
    peers = comparison_rows(peer_pool(rubric_version_id=version.pk, cycle_id=cycle.pk), **filters)
    peers.sort(key=lambda p: (p.overall is None, -(p.overall or 0), p.name))
    from .xlsx import ComparisonSheet, render_comparison_xlsx

    sheet = ComparisonSheet(
        title=f"{version.display_title} {version.version} · {cycle.name}",
        filters=_applied_filters(form, filters, version, cycle, len(peers)),
        domains=domains,
        peers=peers,
        country_names={code: str(name) for code, name in countries},
        region_names={value: str(label) for value, label in Region.choices},
        extras=comparison_extras(rubric_version=version, cycle=cycle),
        status_names={value: str(label) for value, label in Status.choices},
    )
    content = render_comparison_xlsx(sheet)
    response = HttpResponse(content, content_type=EXPORTERS["xlsx"].content_type)
    name = comparison_file_name(version.rubric.slug, version.version, cycle.name)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_part(text: str) -> str:
    # Dots kept: slugify would turn version "1.1" and "11" into the same name.
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "-"


def comparison_file_name(slug: str, version: str, cycle: str) -> str:
    """comparison_<rubric slug>_v<version>_cycle-<cycle>.xlsx: underscores part the fields,
    which may hold hyphens themselves."""
    return f"comparison_{_file_part(slug)}_v{_file_part(version)}_cycle-{_file_part(cycle)}.xlsx"


def _applied_filters(
    form: CompareForm, filters: dict[str, str], version, cycle, count: int
) -> list[tuple[str, str]]:
    """The header block of the export: what was chosen, so a printed copy says what it shows."""
    rows = [
        (_("Rubric"), f"{version.display_title} ({version.version})"),
        (_("Cycle"), cycle.name),
    ]
    for name in ("region", "country", "type", "size"):
        field = form.fields[name]
        value = filters.get(name, "")
        shown = dict(field.choices).get(value, value) if value else _("All")
        rows.append((str(field.label), str(shown)))
    rows += [
        (_("Institutions"), str(count)),
        (
            _("Scores"),
            _("Validated scores where a reviewer has validated; submitted ones otherwise."),
        ),
        (_("Exported on"), formats.date_format(timezone.localdate(), "DATE_FORMAT")),
    ]
    return rows
