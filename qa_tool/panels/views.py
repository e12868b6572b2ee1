"""Panel pages: the panel (set-up, seats, progress), a rater's own wizard, and the lead's
disagreement view where the final levels are confirmed.

Independence: a rater's wizard reads and writes only their own seat (there is no rater id
in its URL), and nobody but the lead and reviewers ever sees another person's levels;
a rater who has submitted sees the panel's consensus and agreement, never names.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qa_tool.access import (
    PANEL_EXTERNAL,
    PANEL_SELF,
    can_confirm_panel,
    can_lead_panel,
    can_rate,
    can_see_panel_ratings,
    is_panel_lead,
    panel_is_open,
)
from qa_tool.assessments.selectors import responses_by_code
from qa_tool.assessments.services import AnswerInput, AssessmentError
from qa_tool.assessments.wizard import FillWizard

from .extensions import alpha_json
from .forms import ConfirmForm, PanelCreateForm, RaterAddForm
from .models import Panel
from .selectors import (
    assessment_for_panel_page,
    own_ratings,
    panel_figures,
    panel_of,
    panel_progress,
    seat_of,
)
from .services import panel_confirm, panel_create, rater_add, rater_submit, rating_save


def _errors(request: HttpRequest, error: AssessmentError) -> None:
    for problem in error.problems:
        messages.error(request, problem)


@login_required
@require_http_methods(["GET", "POST"])
def panel_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = assessment_for_panel_page(request.user, assessment_id)
    panel = panel_of(assessment)
    seat = seat_of(request.user, panel)
    kinds = [k for k in (PANEL_SELF, PANEL_EXTERNAL) if can_lead_panel(request.user, assessment, k)]
    is_lead = panel is not None and is_panel_lead(request.user, panel)
    if request.method == "POST":
        return _panel_post(request, assessment, panel, kinds, is_lead)
    context: dict[str, Any] = {
        "assessment": assessment,
        "panel": panel,
        "seat": seat,
        "is_lead": is_lead,
        "create_form": PanelCreateForm(kinds=kinds) if panel is None and kinds else None,
        "add_form": RaterAddForm() if is_lead and panel_is_open(panel) else None,
        "progress": panel_progress(panel) if panel is not None else [],
        "can_see_ratings": panel is not None and can_see_panel_ratings(request.user, panel, seat),
        "can_rate": can_rate(request.user, seat),
    }
    if (
        panel is not None
        and seat is not None
        and seat.is_submitted
        and not context["can_see_ratings"]
    ):
        # After submitting: the panel's consensus and agreement, no one's levels or names.
        figures = panel_figures(panel)
        context["consensus_rows"] = figures.by_rubric_order
        context["overall_agreement"] = figures.percent
    return render(request, "panels/panel.html", context)


def _panel_post(request, assessment, panel: Panel | None, kinds, is_lead) -> HttpResponse:
    here = reverse("panels:panel", args=[assessment.pk])
    if "create" in request.POST:
        form = PanelCreateForm(request.POST, kinds=kinds)
        if panel is not None or not kinds:
            raise PermissionDenied
        if form.is_valid():
            try:
                panel_create(
                    assessment=assessment, kind=form.cleaned_data["kind"], lead=request.user
                )
            except AssessmentError as error:
                _errors(request, error)
            else:
                messages.success(request, _("The panel was set up. Now add its raters."))
        return redirect(here)
    if "add_rater" in request.POST:
        if panel is None or not is_lead or not panel_is_open(panel):
            raise PermissionDenied
        form = RaterAddForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(here)
        try:
            rater = rater_add(
                panel=panel,
                actor=request.user,
                user=form.cleaned_data["username"],
                perspective=form.cleaned_data.get("perspective") or "",
            )
        except AssessmentError as error:
            _errors(request, error)
        else:
            messages.success(request, _("%(name)s joined the panel.") % {"name": rater.name})
        return redirect(here)
    return redirect(here)


@login_required
@require_http_methods(["GET", "POST"])
def disagreement(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Every rater's level and justification per criterion: the lead and reviewers only."""
    assessment = assessment_for_panel_page(request.user, assessment_id)
    panel = panel_of(assessment)
    if panel is None or not can_see_panel_ratings(
        request.user, panel, seat_of(request.user, panel)
    ):
        raise PermissionDenied
    figures = panel_figures(panel)
    may_confirm = can_confirm_panel(request.user, panel)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        rows=figures.rows,
        version=assessment.rubric_version,
    )
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied
        if form.is_valid():
            try:
                panel_confirm(panel=panel, finals=form.finals(), actor=request.user)
            except AssessmentError as error:
                _errors(request, error)
            else:
                messages.success(request, _("The final levels were confirmed."))
                return redirect("panels:disagreement", assessment.pk)
    return render(
        request,
        "panels/disagreement.html",
        {
            "assessment": assessment,
            "panel": panel,
            "figures": figures,
            "overall_agreement": figures.percent,
            "alpha": alpha_json(figures.alpha),
            "form": form,
            "rows": form.bound_rows(),
            "may_confirm": may_confirm,
        },
    )


class RateWizard(FillWizard):
    """The filling wizard on a rater's own levels (Rating rows instead of the answers)."""

    template_name = "panels/rate.html"
    url_name = "panels:rate_step"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.assessment = assessment_for_panel_page(request.user, kwargs["assessment_id"])
        self.panel = panel_of(self.assessment)
        self.seat = seat_of(request.user, self.panel)
        if self.seat is None:
            raise PermissionDenied
        if not can_rate(request.user, self.seat):
            if self.seat.is_submitted:
                messages.info(request, _("You have submitted your ratings."))
            else:
                messages.info(
                    request, _("The panel is closed: the assessment can no longer be changed.")
                )
            return redirect("panels:panel", self.assessment.pk)
        self._set_up()
        return super(FillWizard, self).dispatch(request, *args, **kwargs)

    def _load_responses(self) -> None:
        self.responses = own_ratings(self.seat)
        self.evidence = {}

    def get_prefix(self, request, *args, **kwargs) -> str:
        return f"panel_rater_{self.seat.pk}"

    def save_step_answers(self, form, answers, revisions) -> dict[str, int]:
        mine = {
            code: AnswerInput(value=a.value, na=a.na, justification=a.justification)
            for code, a in answers.items()
        }
        return rating_save(rater=self.seat, answers=mine, actor=self.request.user)

    def _attach_files(self, request, form) -> bool:
        return False

    def _remove_evidence(self, request, evidence_id: str) -> None:
        return None

    def submit(self, request) -> HttpResponse:
        rater_submit(rater=self.seat, actor=request.user)
        messages.success(request, _("Your ratings were submitted to the panel."))
        return redirect("panels:panel", self.assessment.pk)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        if self.panel.kind == PANEL_EXTERNAL and "rows" in context:
            # An external rater reviews the institution's self-assessment: show it beside.
            answers = responses_by_code(self.assessment)
            for item in context["rows"]:
                own = answers.get(item["row"].criterion.code)
                item["self_assessed"] = own
                item["self_label"] = self._self_label(own)
        return context

    def _self_label(self, row) -> str:
        if row is None:
            return ""
        if row.is_na:
            return _("Not applicable")
        return "" if row.value is None else self.version.level_label(row.value)

    def _review_context(self, result) -> dict[str, Any]:
        context = super()._review_context(result)
        context["submission_problems"] = []
        context["unanswered"] = result.total - result.answered
        return context
