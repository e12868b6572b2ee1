"""Assessment pages: start, score, evidence downloads, history, and the reviewer's pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_countries.fields import Country

from qa_tool.institutions.models import Role
from reports.charts import report_charts
from reports.context import SORTS, build_report_context
from rubrics.scoring import canonical_number_text

from .access import can_edit, get_assessment_for
from .forms import QueueFilterForm, ReviewerForm, StartAssessmentForm
from .models import Assessment, AuditEvent, Evidence, Status
from .selectors import (
    assessment_result,
    assessment_reviewed_result,
    assessments_with_scores,
    evidence_by_code,
    responses_by_code,
)
from .services import (
    AssessmentError,
    assessment_return,
    assessment_save_review,
    assessment_start,
    assessment_validate,
)

SORT_LABELS = {
    "rubric": _lazy("rubric order"),
    "score": _lazy("score"),
    "weight": _lazy("weight"),
    "gap": _lazy("gap to the top level"),
}


def _domain_rows(assessment, responses, result, evidence=None):
    version = assessment.rubric_version
    criteria = {c.code: c for c in version.criteria.select_related("domain")}
    domains = {d.code: d for d in version.domains.all()}
    evidence = evidence or {}
    return [
        {
            "domain": domains[d.code],
            "result": d,
            "criteria": [
                {
                    "criterion": criteria[c.code],
                    "result": c,
                    "response": responses.get(c.code),
                    "level_label": version.level_label(c.value) if c.value is not None else "",
                    "evidence": evidence.get(c.code, []),
                }
                for c in d.criteria
            ],
        }
        for d in result.domains
    ]


@login_required
@require_POST
def assessment_start_view(request):
    user = request.user
    if user.role != Role.OFFICER or user.institution_id is None:
        raise PermissionDenied
    form = StartAssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rubric and an open cycle."))
        return redirect("dashboard")
    assessment, created = assessment_start(
        institution=user.institution,
        rubric_version=form.cleaned_data["rubric_version"],
        cycle=form.cleaned_data["cycle"],
        actor=user,
    )
    if not created:
        messages.info(request, _("Your institution already has this assessment; here it is."))
    if can_edit(user, assessment):
        return redirect("assessments:fill", assessment.pk)
    return redirect("assessments:score", assessment.pk)


@login_required
def assessment_score(request, assessment_id: int):
    """The results page: scores, peers, trend and the criterion table."""
    assessment = get_assessment_for(request.user, assessment_id)
    context = build_report_context(
        assessment=assessment, user=request.user, group=request.GET.get("group")
    )
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "rubric"
    return render(
        request,
        "assessments/score.html",
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
        },
    )


# Evidence files are private documents: no copy may stay in a browser or proxy cache.
@never_cache
@login_required
def evidence_download(request, assessment_id: int, evidence_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    evidence = get_object_or_404(Evidence, assessment=assessment, pk=evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def assessment_history(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    events = (
        AuditEvent.objects.filter(assessment=assessment)
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "assessments/history.html", {"assessment": assessment, "page": page})


def _reviewer_required(user) -> None:
    if not (user.is_authenticated and user.sees_all_institutions):
        raise PermissionDenied


@login_required
def review_queue(request):
    _reviewer_required(request.user)
    base = Assessment.objects.visible_to(request.user)
    rubrics = sorted(set(base.values_list("rubric_version__rubric__slug", flat=True)))
    cycles = sorted(set(base.values_list("cycle__name", flat=True)), reverse=True)
    countries = sorted(
        {Country(code) for code in base.values_list("institution__country", flat=True).distinct()},
        key=lambda c: str(c.name),
    )
    data = request.GET.copy()
    data.setdefault("status", Status.SUBMITTED)
    form = QueueFilterForm(data, rubrics=rubrics, cycles=cycles, countries=countries)
    queryset = base.select_related("institution", "cycle", "rubric_version__rubric")
    if form.is_valid():
        filters = form.cleaned_data
        if filters["rubric"]:
            queryset = queryset.filter(rubric_version__rubric__slug=filters["rubric"])
        if filters["cycle"]:
            queryset = queryset.filter(cycle__name=filters["cycle"])
        if filters["region"]:
            queryset = queryset.filter(institution__region=filters["region"])
        if filters["country"]:
            queryset = queryset.filter(institution__country=filters["country"])
        if filters["status"]:
            queryset = queryset.filter(status=filters["status"])
    queryset = queryset.order_by("submitted_at", "institution__name", "pk")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/review_queue.html",
        {
            "form": form,
            "page": page,
            "rows": assessments_with_scores(page.object_list),
            "query": query.urlencode(),
        },
    )


@login_required
def review_assessment(request, assessment_id: int):
    _reviewer_required(request.user)
    assessment = get_assessment_for(request.user, assessment_id)
    version = assessment.rubric_version
    criteria = list(version.criteria.select_related("domain"))
    responses = responses_by_code(assessment)
    initial = {}
    for code, row in responses.items():
        if row.reviewed_na:
            initial[f"{code}-level"] = "na"
        elif row.reviewed_value is not None:
            initial[f"{code}-level"] = canonical_number_text(row.reviewed_value)
        initial[f"{code}-comment"] = row.review_comment
    initial["overall_comment"] = assessment.review_comment
    reviewing = assessment.status == Status.SUBMITTED
    if request.method == "POST":
        if not reviewing:
            raise PermissionDenied
        form = ReviewerForm(request.POST, criteria=criteria, version=version, initial=initial)
        if form.is_valid():
            try:
                assessment_save_review(
                    assessment=assessment, reviews=form.reviews(), actor=request.user
                )
                comment = form.cleaned_data["overall_comment"]
                if "return" in request.POST:
                    assessment_return(assessment=assessment, actor=request.user, comment=comment)
                    messages.success(request, _("The assessment was returned to the institution."))
                    return redirect("assessments:review_queue")
                if "validate" in request.POST:
                    assessment_validate(assessment=assessment, actor=request.user, comment=comment)
                    messages.success(request, _("The assessment was validated."))
                    return redirect("assessments:score", assessment.pk)
                messages.success(request, _("Review saved."))
                return redirect("assessments:review", assessment.pk)
            except AssessmentError as error:
                for problem in error.problems:
                    messages.error(request, problem)
    else:
        form = ReviewerForm(criteria=criteria, version=version, initial=initial)
    result = assessment_result(assessment, responses)
    reviewed = assessment_reviewed_result(assessment, responses)
    evidence = evidence_by_code(assessment)
    rows = []
    for domain_rows in _domain_rows(assessment, responses, result, evidence):
        for item in domain_rows["criteria"]:
            code = item["criterion"].code
            item["level_field"] = form[f"{code}-level"]
            item["comment_field"] = form[f"{code}-comment"]
        rows.append(domain_rows)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "version": version,
            "form": form,
            "domain_rows": rows,
            "result": result,
            "reviewed": reviewed,
            "reviewing": reviewing,
        },
    )
