"""The units pages: every institution is reached through ``qa_tool.access`` (another
institution's units, campaigns or roll-up are a 404; a contributor gets none of them)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qa_tool.access import (
    can_manage_units,
    can_see_rollup,
    get_campaign_for,
    institution_for_rollup,
)
from qa_tool.assessments.services import AssessmentError, campaign_create, campaign_units
from qa_tool.benchmarks.rollup_selectors import (
    PASS_RATE,
    institution_rollup,
    rollup_benchmark,
    rollup_json,
    unit_versions_used,
)
from qa_tool.core.refusals import Refusal
from qa_tool.core.roles import officer_required
from qa_tool.institutions.models import Institution
from qa_tool.institutions.units import contributor_assign, contributor_unassign, unit_save

from .forms import AssignForm, CampaignFilterForm, CampaignForm, RollupForm, UnitForm
from .selectors import (
    CAMPAIGN_STATUSES,
    campaign_counts,
    campaign_rows,
    campaigns_of,
    unit_detail,
    units_page,
)

PAGE_SIZE = 50


def _problems(request, refusal: Refusal) -> None:
    for problem in refusal.problems:
        messages.error(request, problem)


@officer_required
def units(request):
    institution = request.user.institution
    form = UnitForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_save(
                institution=institution,
                level=data["level"],
                code=data["code"].strip(),
                title=data["title"],
                programmes=list(data.get("programmes") or []),
            )
        except Refusal as exc:
            _problems(request, exc)
        else:
            messages.success(request, _("%(code)s was added.") % {"code": unit.code})
            return redirect("units:units")
    level = request.GET.get("level", "")
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        units_page(institution, level=level if level in ("programme", "course") else "", q=q),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "units/units.html",
        {
            "institution": institution,
            "form": form,
            "page": page,
            "level": level,
            "q": q,
            "query": urlencode({"level": level, "q": q}),
        },
    )


@officer_required
def unit_edit(request, unit_id: int):
    institution = request.user.institution
    unit = unit_detail(institution, unit_id)
    if unit is None:
        raise Http404
    form = UnitForm(
        request.POST or None,
        institution=institution,
        unit=unit,
        initial={"title": unit.title, "programmes": list(unit.programmes.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit_save(
                institution=institution,
                level=unit.level,
                code=unit.code,
                title=form.cleaned_data["title"],
                programmes=list(form.cleaned_data.get("programmes") or []),
                unit=unit,
            )
        except Refusal as exc:
            _problems(request, exc)
        else:
            messages.success(request, _("%(code)s was saved.") % {"code": unit.code})
            return redirect("units:unit", unit.pk)
    return render(
        request,
        "units/unit.html",
        {"unit": unit, "form": form, "assign_form": AssignForm(institution=institution)},
    )


@officer_required
@require_POST
def unit_assign(request, unit_id: int):
    institution = request.user.institution
    unit = unit_detail(institution, unit_id)
    if unit is None:
        raise Http404
    form = AssignForm(request.POST, institution=institution)
    if not form.is_valid():
        messages.error(request, _("Choose a contributor of your institution."))
        return redirect("units:unit", unit.pk)
    user = form.cleaned_data["user"]
    if request.POST.get("remove"):
        contributor_unassign(user=user, unit=unit)
        messages.success(
            request,
            _("%(user)s no longer contributes to %(code)s.")
            % {"user": user.username, "code": unit.code},
        )
    else:
        try:
            contributor_assign(user=user, unit=unit, actor=request.user)
        except Refusal as exc:
            _problems(request, exc)
        else:
            messages.success(
                request,
                _("%(user)s may now fill the assessments of %(code)s.")
                % {"user": user.username, "code": unit.code},
            )
    return redirect("units:unit", unit.pk)


@login_required
def campaigns(request):
    user = request.user
    if user.sees_all_institutions:
        institutions = Institution.objects.visible_to(user)
    elif user.institution_id and can_see_rollup(user, user.institution):
        institutions = Institution.objects.filter(pk=user.institution_id)
    else:
        raise PermissionDenied
    manage = bool(user.institution_id) and can_manage_units(user, user.institution)
    form = CampaignForm(request.POST or None, institution=user.institution) if manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            response = _create_campaign(request, form)
            if response is not None:
                return response
    page = Paginator(campaigns_of(institutions), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "units/campaigns.html", {"form": form, "page": page})


def _create_campaign(request, form: CampaignForm):
    data = form.cleaned_data
    version = data["rubric_version"]
    institution = request.user.institution
    chosen, problems = campaign_units(
        institution=institution,
        level=version.level,
        programme=data.get("programme"),
        codes=form.code_list(),
        everything=data.get("everything", False),
    )
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return None
    try:
        campaign, created = campaign_create(
            institution=institution,
            rubric_version=version,
            cycle=data["cycle"],
            units=chosen,
            name=data.get("name", ""),
            actor=request.user,
        )
    except AssessmentError as exc:
        _problems(request, exc)
        return None
    messages.success(
        request,
        _("Campaign created: %(created)s draft assessment(s) of %(units)s unit(s).")
        % {"created": created, "units": len(chosen)},
    )
    return redirect("units:campaign", campaign.pk)


@login_required
def campaign(request, campaign_id: int):
    campaign = get_campaign_for(request.user, campaign_id)
    filters = CampaignFilterForm(request.GET or None)
    status = q = ""
    if filters.is_valid():
        status, q = filters.cleaned_data["status"], filters.cleaned_data["q"].strip()
    page = Paginator(campaign_rows(campaign, status=status, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = campaign_counts(campaign)
    labels = dict(filters.fields["status"].choices)
    return render(
        request,
        "units/campaign.html",
        {
            "campaign": campaign,
            "filters": filters,
            "page": page,
            "counts": [(key, labels[key], counts[key]) for key in CAMPAIGN_STATUSES],
            "total": sum(counts.values()),
            "status": status,
            "query": urlencode({"status": status, "q": q}),
        },
    )


@login_required
def rollup_home(request):
    user = request.user
    if user.institution_id and can_see_rollup(user, user.institution):
        return redirect("units:rollup", user.institution.code)
    if user.sees_all_institutions:
        return redirect("dashboard")
    raise PermissionDenied


@login_required
def rollup(request, code: str):
    institution = institution_for_rollup(request.user, code)
    form = RollupForm(request.GET or None)
    report = benchmark = None
    if form.is_valid():
        version, cycle = form.cleaned_data["rubric_version"], form.cleaned_data["cycle"]
    else:
        version = cycle = None
        latest = _latest_used(institution)
        if latest is not None:
            version, cycle = latest
            form = RollupForm(initial={"rubric_version": version, "cycle": cycle})
    if version is not None:
        report = institution_rollup(institution=institution, rubric_version=version, cycle=cycle)
        if request.GET.get("format") == "json":
            body = json.dumps(rollup_json(report), ensure_ascii=False, indent=2)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="rollup-{institution.code}-{cycle.name}.json"'
            )
            response["Cache-Control"] = "no-store, private"
            return response
        benchmark = rollup_benchmark(
            user=request.user, institution=institution, rubric_version=version, cycle=cycle
        )
    return render(
        request,
        "units/rollup.html",
        {
            "institution": institution,
            "form": form,
            "report": report,
            "benchmark": benchmark,
            "pass_rate_key": PASS_RATE,
            "json_query": request.GET.urlencode(),
        },
    )


def _latest_used(institution: Institution):
    from qa_tool.assessments.models import Cycle

    for cycle in Cycle.objects.order_by("-name")[:5]:
        versions = unit_versions_used(institution=institution, cycle=cycle)
        if versions:
            return versions[-1], cycle
    return None
