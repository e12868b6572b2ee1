"""Assessment pages: start, evidence downloads, history, and the reviewer's pages.

The results page lives in ``reports.results``, beside the report context it renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_countries.fields import Country

from qa_tool.access import can_edit, can_review, get_assessment_for
from qa_tool.core.roles import officer_required, reviewer_required
from rubrics.models import Rubric
from rubrics.scoring import canonical_number_text

from .forms import QueueFilterForm, ReviewerForm, StartAssessmentForm
from .history import history_rows
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
    assessment_carry_over,
    assessment_return,
    assessment_save_review,
    assessment_start,
    assessment_validate,
)


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


@officer_required
@require_POST
def assessment_start_view(request):
    user = request.user
    form = StartAssessmentForm(request.POST, institution=user.institution)
    if not form.is_valid():
        messages.error(request, _("Choose a rubric and an open cycle."))
        return redirect("dashboard")
    try:
        assessment, created = assessment_start(
            institution=user.institution,
            rubric_version=form.cleaned_data["rubric_version"],
            cycle=form.cleaned_data["cycle"],
            subject=form.cleaned_data.get("subject"),
            actor=user,
        )
    except AssessmentError as exc:
        for problem in exc.problems:
            messages.error(request, problem.what)
        return redirect("dashboard")
    if not created:
        messages.info(request, _("Your institution already has this assessment; here it is."))
    if form.cleaned_data.get("carry_over") and can_edit(user, assessment):
        _carry_over(request, assessment)
    if can_edit(user, assessment):
        return redirect("assessments:fill", assessment.pk)
    return redirect("assessments:score", assessment.pk)


def _carry_over(request, assessment) -> None:
    try:
        outcome = assessment_carry_over(assessment=assessment, actor=request.user)
    except AssessmentError as exc:
        for problem in exc.problems:
            messages.error(request, problem.what)
        return
    if outcome.source is None:
        messages.info(
            request,
            _("No earlier assessment of a linked rubric was found; nothing was carried over."),
        )
    elif not outcome.criteria:
        messages.info(
            request, _("Nothing to carry over: no linked answer has a justification or link.")
        )
    else:
        messages.success(
            request,
            _(
                "Justifications and evidence links of %(count)s criteria were carried over; "
                "choose every level yourself."
            )
            % {"count": len(outcome.criteria)},
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
    rows = history_rows(page.object_list, assessment.rubric_version)
    return render(
        request,
        "assessments/history.html",
        {"assessment": assessment, "page": page, "rows": rows},
    )


@reviewer_required
def review_queue(request):
    base = Assessment.objects.visible_to(request.user)
    rubrics = sorted(
        (
            (rubric.slug, rubric.display_title or rubric.slug)
            for rubric in Rubric.objects.filter(versions__assessments__in=base).distinct()
        ),
        key=lambda choice: choice[1].lower(),
    )
    # Distinct in the database: the network's assessments are not read to list choices.
    cycles = sorted(base.order_by().values_list("cycle__name", flat=True).distinct(), reverse=True)
    countries = sorted(
        {
            Country(code)
            for code in base.order_by().values_list("institution__country", flat=True).distinct()
        },
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


@reviewer_required
def review_assessment(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    version = assessment.rubric_version
    criteria = list(version.criteria.select_related("domain"))
    responses = responses_by_code(assessment)
    initial = _review_initial(responses)
    reviewing = can_review(request.user, assessment)
    if request.method == "POST":
        if not reviewing:
            raise PermissionDenied
        form = ReviewerForm(
            request.POST,
            criteria=criteria,
            version=version,
            initial=initial,
            returning="return" in request.POST,
        )
        if form.is_valid():
            decided = _record_review(request, assessment, form)
            if decided is not None:
                return decided
    else:
        form = ReviewerForm(criteria=criteria, version=version, initial=initial)
    result = assessment_result(assessment, responses)
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
            "reviewed": assessment_reviewed_result(assessment, responses),
            "reviewing": reviewing,
        },
    )


def _review_initial(responses) -> dict[str, str]:
    """The reviewer's saved levels and comments. The overall comment is not pre-filled: the
    stored one belongs to the last return or validation, and validating now must not send
    an earlier return's comment again."""
    initial = {}
    for code, row in responses.items():
        if row.reviewed_na:
            initial[f"{code}-level"] = "na"
        elif row.reviewed_value is not None:
            initial[f"{code}-level"] = canonical_number_text(row.reviewed_value)
        initial[f"{code}-comment"] = row.review_comment
    return initial


def _record_review(request, assessment, form):
    """Save the review and the decision (return, validate or neither) all or nothing; the
    redirect to follow, or None to show the form again with the refusal."""
    comment = form.cleaned_data["overall_comment"]
    try:
        with transaction.atomic():
            assessment_save_review(
                assessment=assessment, reviews=form.reviews(), actor=request.user
            )
            if "return" in request.POST:
                assessment_return(assessment=assessment, actor=request.user, comment=comment)
            elif "validate" in request.POST:
                assessment_validate(assessment=assessment, actor=request.user, comment=comment)
    except AssessmentError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return None
    if "return" in request.POST:
        messages.success(request, _("The assessment was returned to the institution."))
        return redirect("assessments:review_queue")
    if "validate" in request.POST:
        messages.success(request, _("The assessment was validated."))
        return redirect("assessments:score", assessment.pk)
    messages.success(request, _("Review saved."))
    return redirect("assessments:review", assessment.pk)
