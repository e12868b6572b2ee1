"""Pages of the offline fill-in workbook: download it, upload it back.

Thin: every assessment is reached through ``get_assessment_for``; checking is in
``reports.workbook``, applying in ``qa_tool.assessments.offline``.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from qa_tool.access import can_edit, get_assessment_for
from qa_tool.core.refusals import Problem

from .forms import WorkbookUploadForm
from .workbook import CONTENT_TYPE, WorkbookError, export_workbook, import_workbook

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def workbook_filename(assessment, *, blank: bool) -> str:
    parts = [
        assessment.institution.code,
        assessment.rubric_version.rubric.slug,
        assessment.rubric_version.version,
        assessment.cycle.name,
        "blank" if blank else "",
    ]
    name = "-".join(_UNSAFE.sub("-", part).strip("-") for part in parts if part)
    return f"{name or 'assessment'}.xlsx"


@never_cache
@login_required
def download(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    blank = request.GET.get("blank") == "1"
    data = export_workbook(assessment=assessment, prefilled=not blank, language=get_language())
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{workbook_filename(assessment, blank=blank)}"'
    )
    return response


@never_cache
@login_required
def upload(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id, write=True)
    problems: list[Problem] = []
    if request.method == "POST":
        form = WorkbookUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                changed = import_workbook(
                    data=form.cleaned_data["file"].read(),
                    user=request.user,
                    assessment_id=assessment.pk,
                    submit=form.cleaned_data["submit"],
                )
            except WorkbookError as error:
                problems = error.problems  # the page lays out each one's where and what
            else:
                messages.success(
                    request,
                    ngettext(
                        "Workbook imported: %(count)s criterion updated.",
                        "Workbook imported: %(count)s criteria updated.",
                        changed,
                    )
                    % {"count": changed},
                )
                if form.cleaned_data["submit"]:
                    messages.success(request, _("The assessment was submitted for review."))
                    return redirect("assessments:score", assessment.pk)
                return redirect(reverse("assessments:fill_step", args=[assessment.pk, "review"]))
    else:
        form = WorkbookUploadForm()
    return render(
        request,
        "reports/workbook_upload.html",
        {
            "assessment": assessment,
            "version": assessment.rubric_version,
            "form": form,
            "problems": problems,
            "can_edit": can_edit(request.user, assessment),
        },
    )
