"""The dashboard: one page, shaped by the person's role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from qa_tool.accounts.forms import CycleForm
from qa_tool.accounts.models import Invitation
from qa_tool.assessments.forms import StartAssessmentForm
from qa_tool.assessments.models import Assessment, Cycle
from qa_tool.assessments.selectors import assessments_with_scores
from qa_tool.assessments.services import cycle_open
from qa_tool.core.roles import administrator_required
from qa_tool.institutions.models import Institution, User
from qa_tool.panels.selectors import seats_for
from rubrics.models import RubricVersion

PAGE_SIZE = 50


def installation_is_empty() -> bool:
    """No institutions or no rubrics yet: the first-run page has work to show."""
    return not Institution.objects.exists() or not RubricVersion.objects.exists()


@login_required
def dashboard(request):
    user = request.user
    if user.is_administrator and installation_is_empty():
        return redirect("first_run")
    context = {
        "offered_versions": RubricVersion.objects.offered().select_related("rubric"),
        "panel_seats": seats_for(user),
    }
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


@administrator_required
def first_run(request):
    """The steps of setting up an empty installation, each with its link or form."""
    cycle_form = CycleForm(request.POST or None)
    if request.method == "POST" and cycle_form.is_valid():
        cycle = cycle_open(name=cycle_form.cleaned_data["name"])
        messages.success(request, _("Cycle %(cycle)s is open.") % {"cycle": cycle.name})
        return redirect("first_run")
    context = {
        "rubric_count": RubricVersion.objects.count(),
        "institution_count": Institution.objects.count(),
        "people_count": User.objects.filter(institution__isnull=False).count(),
        "invitation_count": Invitation.objects.count(),
        "open_cycles": Cycle.objects.filter(is_open=True),
        "cycle_form": cycle_form,
        "empty": installation_is_empty(),
    }
    return render(request, "qa_tool/first_run.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon.

    Resolved per request and not permanent: the static URL carries a content hash in
    production, which changes with the file.
    """
    return redirect(static("qa_tool/favicon.svg"))
