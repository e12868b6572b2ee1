"""The results page: the report context laid out as a page (the PDF, Excel and JSON
exports lay out the same context)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from qa_tool.access import can_edit, get_assessment_for
from qa_tool.benchmarks.audience import Audience

from .charts import report_charts
from .context import SORTS, ReportContext, build_report_context
from .forms import ReportGroupForm

SORT_LABELS = {
    "rubric": _("rubric order"),
    "score": _("score"),
    "weight": _("weight"),
    "gap": _("gap to the top level"),
}


@login_required
def results(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Scores, peers, trend and the criterion table of one assessment."""
    assessment = get_assessment_for(request.user, assessment_id)
    context = build_report_context(
        assessment=assessment,
        audience=Audience.of(request.user),
        group=request.GET.get("group"),
        through=request.GET.get("through"),
    )
    return results_page(request, context, ReportGroupForm(benchmark=context.benchmark))


def results_page(
    request: HttpRequest, context: ReportContext, group_form: ReportGroupForm, status: int = 200
) -> HttpResponse:
    """The page of ``context``; the report downloads' peer-group form (with its refusal
    when a download was refused) sits in it."""
    assessment = context.assessment
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "rubric"
    return render(
        request,
        "reports/results.html",
        {
            "assessment": assessment,
            "version": assessment.rubric_version,
            "report": context,
            "result": context.result,
            "charts": report_charts(context),
            "criteria": context.sorted_criteria(sort),
            "sort": sort,
            "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
            "can_edit": can_edit(request.user, assessment),
            "group_form": group_form,
        },
        status=status,
    )
