"""Account pages without the Django admin: profile, institutions, invitations, people."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from qa_tool.access import get_institution_to_manage
from qa_tool.core.refusals import Refusal
from qa_tool.core.roles import administrator_required
from qa_tool.institutions.models import Institution
from qa_tool.institutions.services import (
    CSV_MAX_CHARS,
    InstitutionImportError,
    institutions_import,
)

from .forms import AcceptInvitationForm, InstitutionForm, InvitationForm, ProfileForm
from .models import AccountEvent
from .people import (
    account_deactivate,
    institution_create,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_refusal,
)

ITEMISED = "itemised"
EVENTS_SHOWN = 100


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, gettext("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@administrator_required
def institutions(request: HttpRequest) -> HttpResponse:
    page = Paginator(Institution.objects.order_by("name"), 100).get_page(request.GET.get("page"))
    return render(request, "accounts/institutions.html", {"page": page})


@administrator_required
def institution_new(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        institution = institution_create(acting_user=request.user, **form.cleaned_data)
        messages.success(
            request,
            gettext("%(institution)s was created. Invite its first quality officer.")
            % {"institution": institution.name},
        )
        return redirect("accounts:institution_people", institution.pk)
    return render(request, "accounts/institution_new.html", {"form": form})


@administrator_required
@require_POST
def institutions_upload(request: HttpRequest) -> HttpResponse:
    """The institutions CSV (the ``import_institutions`` format), all rows or none."""
    upload = request.FILES.get("file")
    target = _next_or(request, "accounts:institutions")
    if upload is None:
        messages.error(request, gettext("Choose a CSV file to import."))
        return redirect(target)
    try:
        # The parser refuses texts over CSV_MAX_CHARS; never read much more than that.
        text = upload.read(CSV_MAX_CHARS * 4 + 1).decode("utf-8-sig")
        summary = institutions_import(text=text)
    except UnicodeDecodeError:
        messages.error(request, gettext("The file is not UTF-8 text; save the CSV as UTF-8."))
    except InstitutionImportError as refusal:
        heading = gettext("Nothing was imported. Fix these problems and try again.")
        messages.error(request, "\n".join([heading, *refusal.problems]), extra_tags=ITEMISED)
    else:
        messages.success(
            request,
            gettext("%(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            },
        )
    return redirect(target)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """ "People" in the header: an officer's own institution; administrators' list."""
    user = request.user
    if user.is_administrator:
        return redirect("accounts:institutions")
    if user.is_officer and user.institution_id:
        return redirect("accounts:institution_people", user.institution_id)
    raise PermissionDenied


@login_required
def institution_people(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = get_institution_to_manage(request.user, institution_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                institution=institution,
                invited_by=request.user,
                language=translation.get_language(),
            )
        except Refusal as refusal:
            for problem in refusal.problems:
                form.add_error("email", problem.what)
        else:
            messages.success(
                request,
                gettext("An invitation was sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:institution_people", institution.pk)
    context = {
        "institution": institution,
        "form": form,
        "invitation_days": settings.QA_INVITATION_DAYS,
        "members": institution.members.order_by("-is_active", "last_name", "username"),
        "invitations": institution.invitations.filter(accepted_at__isnull=True),
        "events": AccountEvent.objects.filter(institution=institution).select_related(
            "actor", "subject"
        )[:EVENTS_SHOWN],
    }
    return render(request, "accounts/institution_people.html", context)


@login_required
@require_POST
def person_deactivate(request: HttpRequest, institution_id: int, user_id: int) -> HttpResponse:
    institution = get_institution_to_manage(request.user, institution_id)
    # Only this institution's people: anyone else's id is a 404.
    person = get_object_or_404(institution.members, pk=user_id)
    try:
        account_deactivate(user=person, acting_user=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.problems[0].what)
    else:
        messages.success(
            request,
            gettext("%(name)s can no longer sign in.")
            % {"name": person.get_full_name() or person.username},
        )
    return redirect("accounts:institution_people", institution.pk)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: the person chooses their name and password."""
    invitation = invitation_for_token(token)
    refusal = invitation_refusal(invitation)
    if refusal:
        return render(request, "accounts/invitation_refused.html", {"reason": refusal}, status=410)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation_accept(
                invitation=invitation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except Refusal as refusal_:
            form.add_error(None, refusal_.problems[0].what)
        else:
            messages.success(request, gettext("Your account is ready. Sign in."))
            return redirect("login")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
    )
