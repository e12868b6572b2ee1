"""Action plan pages. Every assessment is reached through ``get_assessment_for`` and every
action through the assessments visible to the user: another institution's is a 404.

Officers of the institution edit the plan whatever the assessment's status (plans are
made and followed after submission and validation); leaders read it; reviewers and
administrators read it and comment on each action.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qa_tool.access import can_comment_on_plan, can_edit_plan, get_assessment_for
from qa_tool.assessments.models import Assessment

from .forms import ActionCommentForm, ActionItemForm
from .models import ActionItem
from .selectors import (
    action_effort,
    action_plan,
    plan_effort,
    plan_gain,
    previous_actions_by_code,
)
from .services import ActionPlanError, action_comment, action_plan_generate, action_update


def _item_for(user, item_id: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.filter(
            assessment__in=Assessment.objects.visible_to(user)
        ).select_related("assessment__rubric_version__rubric", "criterion"),
        pk=item_id,
    )


def _back_to(item: ActionItem):
    return redirect(f"{reverse('actions:plan', args=[item.assessment_id])}#action-{item.pk}")


@login_required
def plan(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    version = assessment.rubric_version
    editing = can_edit_plan(request.user, assessment)
    commenting = can_comment_on_plan(request.user)
    previous = previous_actions_by_code(assessment)
    unmatched = dict(previous)
    rows = []
    items = action_plan(assessment)
    for item in items:
        rows.append(
            {
                "item": item,
                "current_label": version.level_label(item.current_value),
                "target_label": version.level_label(item.target_value),
                "effort": action_effort(version, item.current_value),
                "gain": plan_gain(version, item),
                "previous": unmatched.pop(item.criterion.code, None),
                "form": ActionItemForm(item=item, version=version) if editing else None,
                "comment_form": ActionCommentForm(item=item) if commenting else None,
            }
        )
    previous_cycle = next(iter(previous.values())).assessment.cycle if previous else None
    return render(
        request,
        "actions/plan.html",
        {
            "assessment": assessment,
            "version": version,
            "rows": rows,
            "effort": plan_effort(version, items),
            "has_effort": version.has_effort,
            "plan_target": version.plan_target,
            "editing": editing,
            "commenting": commenting,
            "previous_cycle": previous_cycle,
            "unmatched_previous": list(unmatched.values()),
            "columns": 11 + (1 if version.has_effort else 0) + (1 if previous else 0),
        },
    )


@login_required
def generate(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    if request.method != "POST":
        return redirect("actions:plan", assessment.pk)
    if not can_edit_plan(request.user, assessment):
        raise PermissionDenied
    created = action_plan_generate(assessment=assessment, actor=request.user)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d action was added to the plan.",
                "%(count)d actions were added to the plan.",
                created,
            )
            % {"count": created},
        )
    elif assessment.actions.exists():
        messages.info(request, _("No new actions: every criterion to improve already has one."))
    else:
        messages.info(request, _("Nothing to add: no rated criterion is below the top level."))
    return redirect("actions:plan", assessment.pk)


@login_required
def item_update(request, item_id: int):
    item = _item_for(request.user, item_id)
    if request.method != "POST":
        return _back_to(item)
    if not can_edit_plan(request.user, item.assessment):
        raise PermissionDenied
    form = ActionItemForm(request.POST, item=item, version=item.assessment.rubric_version)
    code = item.criterion.code
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    _("%(code)s: %(field)s: %(error)s")
                    % {"code": code, "field": form.fields[name].label, "error": error},
                )
        return _back_to(item)
    try:
        action_update(item=item, actor=request.user, **form.cleaned_data)
    except ActionPlanError as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("The action for %(code)s was saved.") % {"code": code})
    return _back_to(item)


@login_required
def item_comment(request, item_id: int):
    item = _item_for(request.user, item_id)
    if request.method != "POST":
        return _back_to(item)
    if not can_comment_on_plan(request.user):
        raise PermissionDenied
    form = ActionCommentForm(request.POST, item=item)
    code = item.criterion.code
    if not form.is_valid():
        for error in form.errors.get("comment", []):
            messages.error(
                request,
                _("%(code)s: %(field)s: %(error)s")
                % {"code": code, "field": form.fields["comment"].label, "error": error},
            )
        return _back_to(item)
    try:
        changed = action_comment(
            item=item, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except ActionPlanError as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        if changed:
            messages.success(request, _("Your comment on %(code)s was saved.") % {"code": code})
    return _back_to(item)
