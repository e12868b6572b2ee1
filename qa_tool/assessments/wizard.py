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

Each criterion carries what the page loaded (revision and field digests), so a
save writes only what the person changed: two tabs or two colleagues on one
step never overwrite each other's criteria. A post that arrives after the
session expired is kept in the new session and offered back after logging in.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from formtools.wizard.views import NamedUrlSessionWizardView

from qa_tool.access import edit_refusal, get_assessment_for, is_editor_of

from .extensions import wizard_context
from .forms import ANSWER_FIELDS, DomainStepForm, ReviewStepForm, answer_token, level_text
from .models import Evidence
from .selectors import (
    assessment_result,
    criteria_missing_evidence,
    evidence_by_code,
    responses_by_code,
)
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
# Session keys: step input posted after the session expired, and steps just saved (the
# page tells its script, which then forgets the copy it kept in the browser).
UNSAVED_KEY = "wizard_unsaved"
SAVED_KEY = "wizard_saved_steps"
UNSAVED_MAX_AGE = 24 * 3600
UNSAVED_MAX_ENTRIES = 5
UNSAVED_MAX_BYTES = 1_000_000
_POSTED_NAME = re.compile(
    r"^\S{1,60}-(?:" + "|".join((*ANSWER_FIELDS, "revision", "loaded")) + ")$"
)


def keep_unsaved_post(request: HttpRequest, assessment_id: int, step: str) -> None:
    """Keep a step's posted fields in the (new, anonymous) session until the person logs in.

    Only the answer fields of the step and a bounded size: the session is not a store for
    whatever an anonymous client posts.
    """
    prefix = f"{step}-"
    data, size = {}, 0
    for key, value in request.POST.items():
        if not key.startswith(prefix) or not _POSTED_NAME.match(key[len(prefix) :]):
            continue
        size += len(key) + len(value)
        if size > UNSAVED_MAX_BYTES:
            return
        data[key] = value
    if not data:
        return
    kept = dict(request.session.get(UNSAVED_KEY, {}))
    kept.pop(f"{assessment_id}:{step}", None)
    kept[f"{assessment_id}:{step}"] = {"at": timezone.now().timestamp(), "data": data}
    request.session[UNSAVED_KEY] = dict(list(kept.items())[-UNSAVED_MAX_ENTRIES:])


class FillWizard(NamedUrlSessionWizardView):
    template_name = "assessments/fill.html"
    # Replaced per request by the assessment's domains; formtools needs one at start-up.
    form_list = [(REVIEW_STEP, ReviewStepForm)]
    url_name = "assessments:fill_step"

    # --- set-up ---------------------------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            step = kwargs.get("step")
            # Autosave keeps its copy in the browser; a real submit has only the server.
            if request.method == "POST" and step and request.META.get(AUTOSAVE_HEADER) != "1":
                keep_unsaved_post(request, kwargs["assessment_id"], step)
            return redirect_to_login(request.get_full_path())
        self.assessment = get_assessment_for(request.user, kwargs["assessment_id"])
        refusal = edit_refusal(request.user, self.assessment)
        if refusal is not None:
            if not is_editor_of(request.user, self.assessment):
                raise PermissionDenied
            # The institution's own officer or contributor: the assessment is no longer editable; say why.
            messages.info(request, refusal)
            return redirect("assessments:score", self.assessment.pk)
        self._set_up()
        return super().dispatch(request, *args, **kwargs)

    def _set_up(self) -> None:
        """The steps of the assessment's rubric version and what is saved (after the checks)."""
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

    def _saved_now(self, code: str) -> tuple[dict[str, str], int]:
        """A criterion's fields as the step form shows them, and its revision, from the database."""
        row = self.responses.get(code)
        if row is None:
            return {"level": "", "justification": "", "links": ""}, 0
        fields = {
            "level": level_text(row.value, row.is_na),
            "justification": row.justification,
            "links": row.evidence_links,
        }
        return fields, row.revision

    def get_form_initial(self, step: str) -> dict[str, Any]:
        domain = self._domain(step)
        if domain is None:
            return {}
        initial = {}
        for criterion in self.criteria_by_domain[domain.pk]:
            code = criterion.code
            fields, revision = self._saved_now(code)
            initial.update({f"{code}-{f}": value for f, value in fields.items()})
            initial[f"{code}-revision"] = revision
            initial[f"{code}-loaded"] = answer_token(**fields)
        return initial

    # --- requests -------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step in self.get_form_list():
            self.storage.current_step = step
            # Only here, after dispatch checked that this user may edit this assessment.
            unsaved = self._take_unsaved(step)
            if unsaved is not None:
                form = self.get_form(step, data=unsaved)
                messages.warning(
                    request, _("Your unsaved changes were restored; check them and save.")
                )
                return self.render(self.get_form(step, data=self._rebased(form)))
            return self.render(self.get_form(step))
        if step is None and self.storage.current_step in self.get_form_list():
            return redirect(self.get_step_url(self.storage.current_step))
        return redirect(self.get_step_url(self.steps.first))

    def _take_unsaved(self, step: str) -> dict[str, str] | None:
        if self._domain(step) is None or UNSAVED_KEY not in self.request.session:
            return None
        kept = dict(self.request.session[UNSAVED_KEY])
        entry = kept.pop(f"{self.assessment.pk}:{step}", None)
        if entry is None:
            return None
        self.request.session[UNSAVED_KEY] = kept
        if timezone.now().timestamp() - entry.get("at", 0) > UNSAVED_MAX_AGE:
            return None
        return entry.get("data") or None

    def _mark_saved(self, step: str) -> None:
        key = f"{SAVED_KEY}_{self.assessment.pk}"
        self.request.session[key] = sorted({*self.request.session.get(key, []), step})

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
        if autosave and malformed:
            # The page's script posts only the scale's levels; anything else is refused
            # whole, so a hand-made post never half-saves behind a reply that says "ok".
            return JsonResponse(
                {"ok": False, "problems": [self._malformed_text(malformed)]}, status=400
            )
        try:
            saved = self.save_step_answers(form, answers, revisions)
        except AnswerConflict as conflict:
            return self._render_conflict(step, form, conflict, autosave)
        except AssessmentError as error:
            if autosave:
                return JsonResponse({"ok": False, "problems": error.problems}, status=400)
            for problem in error.problems:
                messages.error(request, problem)
            return self.render(form)
        if autosave:
            saved_at = timezone.localtime().strftime("%H:%M")
            return JsonResponse(
                {
                    "ok": True,
                    "revisions": saved,
                    # What the page holds now is what is saved: later saves compare with it.
                    "loaded": {code: form.posted_token(code) for code in saved},
                    "saved_at": saved_at,
                    "saved_text": _("Saved at %(time)s") % {"time": saved_at},
                }
            )
        self._mark_saved(step)

        upload_errors = self._attach_files(request, form)
        removed = request.POST.get("remove_evidence")
        if removed:
            self._remove_evidence(request, removed)
            return redirect(self.get_step_url(step))
        if malformed:
            messages.error(request, self._malformed_text(malformed))

        goto = request.POST.get("wizard_goto_step")
        if goto in self.get_form_list():
            return redirect(self.get_step_url(goto))
        if "save_draft" in request.POST:
            messages.success(request, _("Draft saved."))
            return redirect(self.get_step_url(step))
        if upload_errors or not form.is_valid():
            self._load_responses()
            return self.render(self.get_form(step, data=self._rebased(form)))
        return redirect(self.get_step_url(self.get_next_step(step)))

    def save_step_answers(
        self, form: DomainStepForm, answers: dict, revisions: dict[str, int]
    ) -> dict[str, int]:
        """Write a step's answers; the seam a rater's wizard (``qa_tool.panels``) replaces
        to save the rater's own levels instead of the assessment's answers."""
        return assessment_save_answers(
            assessment=self.assessment,
            answers=answers,
            actor=self.request.user,
            source="web",
            base_revisions=revisions,
            changed_fields=form.changed_fields(),
        )

    @staticmethod
    def _malformed_text(codes: list[str]) -> str:
        return _("Some levels were not recognised: %(codes)s") % {"codes": ", ".join(codes)}

    def _rebased(self, form: DomainStepForm):
        """The posted data on top of what is saved now, so saving again neither conflicts
        with nor reverts anything the person did not change."""
        return form.rebased({c.code: self._saved_now(c.code) for c in form.criteria})

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
        if all(c.by_saver for c in conflict.conflicts):
            text = _(
                "Some of these answers were changed in another tab or by another person while "
                "you were editing. Nothing of this step was saved. Compare below, then save "
                "again to keep your version."
            )
        else:
            text = _(
                "Someone else saved some of these answers while you were editing. Nothing of this "
                "step was saved. Compare below, then save again to keep your version."
            )
        messages.error(self.request, text)
        form = self.get_form(step, data=self._rebased(form))
        shown = [
            {
                "code": c.code,
                "changed_by": c.changed_by,
                "changed_at": c.changed_at,
                "by_saver": c.by_saver,
                "theirs": {**c.theirs, "level_label": self._level_label(c.theirs["level"])},
                "yours": {**c.yours, "level_label": self._level_label(c.yours["level"])},
            }
            for c in conflict.conflicts
        ]
        response = self.render(
            form,
            conflicts=shown,
            conflicts_by_others=any(not c.by_saver for c in conflict.conflicts),
        )
        response.status_code = 409
        return response

    def _level_label(self, level: Any) -> str:
        """The scale's label of a level as the audit trail writes it ("na", None or a number)."""
        if level is None:
            return ""
        if level == "na":
            return _("N/A")
        return self.version.level_label(level)

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
                done = self.submit(request)
            except AssessmentError as error:
                for problem in error.problems:
                    messages.error(request, problem)
                return redirect(self.get_step_url(self.review_step))
            self.storage.reset()
            return done
        return redirect(self.get_step_url(self.review_step))

    def submit(self, request) -> HttpResponse:
        """What the last step's Submit does (a rater's wizard submits their ratings instead);
        raises AssessmentError to stay on the step with the reasons."""
        assessment_submit(assessment=self.assessment, actor=request.user)
        messages.success(request, _("The assessment was submitted for review."))
        return redirect("assessments:score", self.assessment.pk)

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
                "reviewed": any(
                    self._reviewer_notes(self.responses.get(c.code))
                    for c in self.criteria_by_domain[d.pk]
                ),
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
            evidence_required=self.version.evidence_required_codes,
            **wizard_context(self.assessment),
            prev_step=self.get_prev_step(current),
            next_step=self.get_next_step(current),
            saved_steps=" ".join(self.request.session.pop(f"{SAVED_KEY}_{self.assessment.pk}", [])),
        )
        if current == self.review_step:
            context.update(self._review_context(result))
        else:
            context["rows"] = [
                {
                    "row": row,
                    "response": self.responses.get(row.criterion.code),
                    "proposed": self._proposed_label(self.responses.get(row.criterion.code)),
                    "evidence": self.evidence.get(row.criterion.code, []),
                }
                for row in form.rows()
            ]
        return context

    @staticmethod
    def _reviewer_notes(row) -> bool:
        return row is not None and bool(
            row.review_comment or row.reviewed_na or row.reviewed_value is not None
        )

    def _proposed_label(self, row) -> str:
        """The level the reviewer proposed for a criterion ("" when none)."""
        if row is None:
            return ""
        if row.reviewed_na:
            return _("Not applicable")
        if row.reviewed_value is None:
            return ""
        return self.version.level_label(row.reviewed_value)

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
            "missing_evidence": {c.code for c in criteria_missing_evidence(self.assessment)},
        }
