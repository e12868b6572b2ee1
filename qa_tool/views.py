"""The dashboard: one page, shaped by the person's role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.templatetags.static import static

from qa_tool.assessments.forms import StartAssessmentForm
from qa_tool.assessments.models import Assessment
from qa_tool.assessments.selectors import assessments_with_scores
from qa_tool.institutions.models import Institution
from rubrics.models import RubricVersion

PAGE_SIZE = 50


@login_required
def dashboard(request):
    user = request.user
    context = {"offered_versions": RubricVersion.objects.offered().select_related("rubric")}
    if user.sees_all_institutions:
        institutions = Institution.objects.visible_to(user).order_by("name")
        page = Paginator(
            Assessment.objects.visible_to(user).order_by("-cycle__name", "institution__name", "pk"),
            PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        context.update(
            institution_count=institutions.count(),
            page=page,
            rows=assessments_with_scores(page.object_list),
        )
        template = "qa_tool/dashboard_centre.html"
    elif user.institution_id:
        start_form = StartAssessmentForm(institution=user.institution) if user.is_officer else None
        if start_form is not None and not (
            start_form.fields["rubric_version"].queryset.exists()
            and start_form.fields["cycle"].queryset.exists()
        ):
            start_form = None
        # Paginated: an institution may have thousands of course reviews.
        page = Paginator(
            Assessment.objects.visible_to(user).order_by(
                "-cycle__name",
                F("subject__code").asc(nulls_first=True),
                "rubric_version__rubric__slug",
                "pk",
            ),
            PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        context.update(
            start_form=start_form,
            institution=user.institution,
            page=page,
            rows=assessments_with_scores(page.object_list),
        )
        template = "qa_tool/dashboard_institution.html"
    else:
        template = "qa_tool/dashboard_none.html"
    return render(request, template, context)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon.

    Resolved per request and not permanent: the static URL carries a content hash in
    production, which changes with the file.
    """
    return redirect(static("qa_tool/favicon.svg"))
