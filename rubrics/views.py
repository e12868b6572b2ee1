"""The rubric library: browse every version's full tree; administrators import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from qa_tool.core.roles import administrator_required
from qa_tool.core.spreadsheets import CONTENT_TYPE

from .document import RubricFileError, dump_yaml
from .explain import scoring_explanation
from .forms import RubricImportForm
from .models import Rubric, RubricVersion
from .services import rubric_import
from .spreadsheet import rubric_workbook, template_workbook


@login_required
def library(request):
    rubrics = Rubric.objects.prefetch_related("versions").order_by("slug")
    return render(request, "rubrics/library.html", {"rubrics": rubrics})


def _version(slug: str, version: str) -> RubricVersion:
    return get_object_or_404(
        RubricVersion.objects.select_related("rubric"), rubric__slug=slug, version=version
    )


@login_required
def version_detail(request, slug: str, version: str):
    rubric_version = _version(slug, version)
    domains = rubric_version.domains.prefetch_related("criteria")
    scale = rubric_version.scale
    return render(
        request,
        "rubrics/version_detail.html",
        {"version": rubric_version, "domains": domains, "scale": scale},
    )


@login_required
def version_scoring(request, slug: str, version: str):
    """How this version's scores, bands and pass or fail are worked out, in the reader's
    language, from the version's own settings."""
    rubric_version = _version(slug, version)
    context = {"version": rubric_version, **scoring_explanation(rubric_version)}
    return render(request, "rubrics/version_scoring.html", context)


@login_required
def version_download(request, slug: str, version: str):
    rubric_version = _version(slug, version)
    response = HttpResponse(
        dump_yaml(rubric_version.content), content_type="application/yaml; charset=utf-8"
    )
    filename = f"{slug}-{rubric_version.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def version_workbook(request, slug: str, version: str):
    """The version as a rubric workbook, to edit in a spreadsheet and import as a new version."""
    rubric_version = _version(slug, version)
    try:
        data = rubric_workbook(rubric_version.content, language=get_language())
    except RubricFileError as exc:
        messages.error(request, "\n".join(str(p) for p in exc.problems))
        return redirect("rubrics:version", slug=slug, version=version)
    return _xlsx(data, f"{slug}-{rubric_version.version}.xlsx")


@login_required
def template(request):
    """The blank rubric workbook: every sheet with its header row, instructions, one example."""
    return _xlsx(template_workbook(language=get_language()), "rubric-template.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Messages are plain text: an itemised one is a heading line followed by one line per
# item, which base.html shows as a list (escaped like any message).
ITEMISED = "itemised"
MAX_WARNINGS_SHOWN = 20


def _warnings_message(source: str, warnings: list[str]) -> str:
    heading = ngettext(
        "%(file)s: %(count)s warning", "%(file)s: %(count)s warnings", len(warnings)
    ) % {"file": source, "count": len(warnings)}
    lines = [" ".join(w.split()) for w in warnings[:MAX_WARNINGS_SHOWN]]
    if len(warnings) > MAX_WARNINGS_SHOWN:
        lines.append(_("and %(count)s more") % {"count": len(warnings) - MAX_WARNINGS_SHOWN})
    return "\n".join([heading, *lines])


@administrator_required
def import_rubrics(request):
    problems: list[str] = []
    if request.method == "POST":
        form = RubricImportForm(request.POST, request.FILES)
        if form.is_valid():
            files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            try:
                outcomes = rubric_import(files=files, actor=request.user)
            except RubricFileError as exc:
                problems = [str(p) for p in exc.problems]
                messages.error(
                    request, _("Nothing was imported. Fix these problems and try again.")
                )
            else:
                for outcome in outcomes:
                    messages.success(
                        request,
                        _("%(slug)s %(version)s: %(action)s.")
                        % {
                            "slug": outcome.slug,
                            "version": outcome.version,
                            "action": {
                                "created": _("imported"),
                                "updated": _("updated"),
                                "unchanged": _("unchanged"),
                            }[outcome.action],
                        },
                    )
                    if outcome.warnings:
                        messages.warning(
                            request,
                            _warnings_message(outcome.source, outcome.warnings),
                            extra_tags=ITEMISED,
                        )
                return redirect("rubrics:library")
    else:
        form = RubricImportForm()
    return render(request, "rubrics/import.html", {"form": form, "problems": problems})
