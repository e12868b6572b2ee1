"""The filling wizard: one step per rubric domain, then a review step that submits.

Built on formtools' NamedUrlSessionWizardView: every step has its own URL, so an
officer can bookmark a domain, reload, use the browser's back button, and jump
between steps with plain links and buttons, all without JavaScript. Session
storage (never cookies) is keyed by the assessment, so two assessments in two
tabs never mix.

The database is the truth and the wizard's storage only remembers the current
step: each POST first writes the step's answers as typed (moving on, going back,
jumping or saving a draft, valid or not), and every step is drawn from the
database. Nothing typed is lost when the browser closes, the session expires,
or the officer continues on another computer.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from formtools.wizard.views import NamedUrlSessionWizardView

from qa_tool.actions.selectors import previous_actions_by_code
from rubrics.scoring import canonical_number_text

from .access import can_edit, get_assessment_for
from .forms import DomainStepForm, ReviewStepForm
from .models import Evidence
from .selectors import assessment_result, evidence_by_code, responses_by_code
from .services import (
    AnswerConflict,
    AssessmentError,
    assessment_save_answers,
    assessment_submit,
    evidence_add,
    evidence_remove,
    submission_problems,
)

REVIEW_STEP = "review"
AUTOSAVE_HEADER = "HTTP_X_AUTOSAVE"


class FillWizard(NamedUrlSessionWizardView):
    template_name = "assessments/fill.html"
    # Replaced per request by the assessment's domains; formtools needs one at start-up.
    form_list = [(REVIEW_STEP, ReviewStepForm)]
    url_name = "assessments:fill_step"

    # --- set-up ---------------------------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.assessment = get_assessment_for(request.user, kwargs["assessment_id"])
        if not can_edit(request.user, self.assessment):
            if (
                request.user.institution_id == self.assessment.institution_id
                and request.user.is_officer
            ):
                messages.info(
                    request,
                    _("This assessment is %(status)s and can no longer be changed.")
                    % {"status": self.assessment.get_status_display()},
                )
                return redirect("assessments:score", self.assessment.pk)
            raise PermissionDenied
        version = self.assessment.rubric_version
        self.version = version
        self.domains = list(version.domains.all())
        criteria = list(version.criteria.all())
        self.criteria_by_domain = {
            d.pk: [c for c in criteria if c.domain_id == d.pk] for d in self.domains
        }
        self.review_step = (
            REVIEW_STEP if REVIEW_STEP not in {d.code for d in self.domains} else "_review"
        )
        self._load_responses()
        return super().dispatch(request, *args, **kwargs)

    def _load_responses(self) -> None:
        self.responses = responses_by_code(self.assessment)
        self.evidence = evidence_by_code(self.assessment)

    def get_prefix(self, request, *args, **kwargs) -> str:
        return f"assessment_{kwargs['assessment_id']}"

    def get_form_list(self) -> OrderedDict:
        steps = OrderedDict((d.code, DomainStepForm) for d in self.domains)
        steps[self.review_step] = ReviewStepForm
        return steps

    def get_step_url(self, step: str) -> str:
        return reverse(self.url_name, kwargs={"assessment_id": self.assessment.pk, "step": step})

    def _domain(self, step: str):
        return next((d for d in self.domains if d.code == step), None)

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        domain = self._domain(step or self.steps.current)
        if domain is None:
            return {}
        return {"criteria": self.criteria_by_domain[domain.pk], "version": self.version}

    def get_form_initial(self, step: str) -> dict[str, Any]:
        domain = self._domain(step)
        if domain is None:
            return {}
        initial = {}
        for criterion in self.criteria_by_domain[domain.pk]:
            row = self.responses.get(criterion.code)
            if row is None:
                initial[f"{criterion.code}-revision"] = 0
                continue
            level = (
                "na"
                if row.is_na
                else (canonical_number_text(row.value) if row.value is not None else "")
            )
            initial.update(
                {
                    f"{criterion.code}-level": level,
                    f"{criterion.code}-justification": row.justification,
                    f"{criterion.code}-links": row.evidence_links,
                    f"{criterion.code}-revision": row.revision,
                }
            )
        return initial

    # --- requests -------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step in self.get_form_list():
            self.storage.current_step = step
            return self.render(self.get_form(step))
        if step is None and self.storage.current_step in self.get_form_list():
            return redirect(self.get_step_url(self.storage.current_step))
        return redirect(self.get_step_url(self.steps.first))

    def post(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step not in self.get_form_list():
            return redirect(self.get_step_url(self.steps.first))
        self.storage.current_step = step
        if step == self.review_step:
            return self._post_review(request)
        return self._post_domain(request, step)

    def _post_domain(self, request, step: str) -> HttpResponse:
        form = self.get_form(step, data=request.POST)
        answers, revisions, malformed = form.raw_answers()
        autosave = request.META.get(AUTOSAVE_HEADER) == "1"
        try:
            saved = assessment_save_answers(
                assessment=self.assessment,
                answers=answers,
                actor=request.user,
                source="web",
                base_revisions=revisions,
            )
        except AnswerConflict as conflict:
            return self._render_conflict(step, form, conflict, autosave)
        except AssessmentError as error:
            if autosave:
                return JsonResponse({"ok": False, "problems": error.problems}, status=400)
            for problem in error.problems:
                messages.error(request, problem)
            return self.render(form)
        if autosave:
            return JsonResponse(
                {
                    "ok": True,
                    "revisions": saved,
                    "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                }
            )

        upload_errors = self._attach_files(request, form)
        removed = request.POST.get("remove_evidence")
        if removed:
            self._remove_evidence(request, removed)
            return redirect(self.get_step_url(step))
        if malformed:
            messages.error(
                request,
                _("Some levels were not recognised: %(codes)s") % {"codes": ", ".join(malformed)},
            )

        goto = request.POST.get("wizard_goto_step")
        if goto in self.get_form_list():
            return redirect(self.get_step_url(goto))
        if "save_draft" in request.POST:
            messages.success(request, _("Draft saved."))
            return redirect(self.get_step_url(step))
        if upload_errors or not form.is_valid():
            self._load_responses()
            return self.render(self.get_form(step, data=self._with_revisions(request.POST, form)))
        return redirect(self.get_step_url(self.get_next_step(step)))

    def _with_revisions(self, data, form: DomainStepForm):
        """The posted data with each criterion's current revision, so a re-save is not a conflict."""
        data = data.copy()
        for criterion in form.criteria:
            row = self.responses.get(criterion.code)
            data[form.add_prefix(f"{criterion.code}-revision")] = row.revision if row else 0
        return data

    def _render_conflict(
        self, step, form, conflict: AnswerConflict, autosave: bool
    ) -> HttpResponse:
        if autosave:
            return JsonResponse(
                {
                    "ok": False,
                    "conflict": True,
                    "problems": conflict.problems,
                    "reload": self.get_step_url(step),
                },
                status=409,
            )
        self._load_responses()
        messages.error(
            self.request,
            _(
                "Someone else saved some of these answers while you were editing. Nothing of this "
                "step was saved. Compare below, then save again to keep your version."
            ),
        )
        form = self.get_form(step, data=self._with_revisions(self.request.POST, form))
        response = self.render(form, conflicts=conflict.conflicts)
        response.status_code = 409
        return response

    def _attach_files(self, request, form: DomainStepForm) -> bool:
        failed = False
        for criterion in form.criteria:
            for upload in request.FILES.getlist(form.add_prefix(f"{criterion.code}-files")):
                try:
                    evidence_add(
                        assessment=self.assessment,
                        criterion_code=criterion.code,
                        upload=upload,
                        actor=request.user,
                    )
                except AssessmentError as error:
                    failed = True
                    for problem in error.problems:
                        messages.error(request, f"{criterion.code}: {problem}")
                else:
                    messages.success(
                        request,
                        _("%(code)s: %(name)s attached.")
                        % {"code": criterion.code, "name": upload.name},
                    )
        return failed

    def _remove_evidence(self, request, evidence_id: str) -> None:
        evidence = (
            Evidence.objects.filter(assessment=self.assessment, pk=evidence_id)
            .select_related("criterion", "assessment")
            .first()
        )
        if evidence is None:
            return
        evidence_remove(evidence=evidence, actor=request.user)
        messages.success(request, _("%(name)s removed.") % {"name": evidence.original_name})

    def _post_review(self, request) -> HttpResponse:
        goto = request.POST.get("wizard_goto_step")
        if goto in self.get_form_list():
            return redirect(self.get_step_url(goto))
        if "submit" in request.POST:
            try:
                assessment_submit(assessment=self.assessment, actor=request.user)
            except AssessmentError as error:
                for problem in error.problems:
                    messages.error(request, problem)
                return redirect(self.get_step_url(self.review_step))
            self.storage.reset()
            messages.success(request, _("The assessment was submitted for review."))
            return redirect("assessments:score", self.assessment.pk)
        return redirect(self.get_step_url(self.review_step))

    def render_done(self, form, **kwargs):
        return redirect(self.get_step_url(self.review_step))

    # --- context --------------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        result = assessment_result(self.assessment, self.responses)
        by_code = {d.code: d for d in result.domains}
        steps = [
            {
                "name": d.code,
                "domain": d,
                "answered": by_code[d.code].answered,
                "total": by_code[d.code].total,
            }
            for d in self.domains
        ]
        current = self.steps.current
        context.update(
            assessment=self.assessment,
            version=self.version,
            result=result,
            step_list=steps,
            review_step=self.review_step,
            current_domain=self._domain(current),
            is_review=current == self.review_step,
            evidence=self.evidence,
            previous_actions=previous_actions_by_code(self.assessment),
            prev_step=self.get_prev_step(current),
            next_step=self.get_next_step(current),
        )
        if current == self.review_step:
            context.update(self._review_context(result))
        else:
            context["rows"] = [
                {
                    "row": row,
                    "response": self.responses.get(row.criterion.code),
                    "evidence": self.evidence.get(row.criterion.code, []),
                }
                for row in form.rows()
            ]
        return context

    def _review_context(self, result) -> dict[str, Any]:
        criteria = {c.code: c for cs in self.criteria_by_domain.values() for c in cs}
        domains = []
        for domain, domain_result in zip(self.domains, result.domains, strict=True):
            items = []
            for c in domain_result.criteria:
                row = self.responses.get(c.code)
                items.append(
                    {
                        "criterion": criteria[c.code],
                        "result": c,
                        "response": row,
                        "level_label": self.version.level_label(c.value)
                        if c.value is not None
                        else "",
                        "evidence": self.evidence.get(c.code, []),
                    }
                )
            domains.append({"domain": domain, "result": domain_result, "items": items})
        return {
            "review_domains": domains,
            "submission_problems": submission_problems(self.assessment),
        }
