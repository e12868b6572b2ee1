"""Background exports: the list of a person's exports, asking for a batch, downloading."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qa_tool.core.refusals import Refusal
from qa_tool.core.roles import is_centre, reviewer_required

from .forms import BatchExportForm
from .jobs import export_batch_request
from .models import ExportJob

REFRESH_SECONDS = 5


@never_cache
@login_required
def export_list(request):
    jobs = list(
        ExportJob.objects.filter(requester=request.user)
        .exclude(expires_at__lte=timezone.now())
        .order_by("-created_at")[:50]
    )
    working = any(job.state in (ExportJob.State.QUEUED, ExportJob.State.RUNNING) for job in jobs)
    return render(
        request,
        "reports/exports.html",
        {
            "jobs": jobs,
            "form": BatchExportForm() if is_centre(request.user) else None,
            "refresh": REFRESH_SECONDS if working else None,
            "ttl_hours": settings.QA_EXPORT_TTL_HOURS,
        },
    )


@require_POST
@reviewer_required
def export_batch(request):
    form = BatchExportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            export_batch_request(
                user=request.user,
                version=data["version"],
                cycle=data["cycle"],
                fmt=data["format"],
                language=data["language"],
            )
        except Refusal as refusal:
            for problem in refusal.problems:
                form.add_error(None, problem.what)
        else:
            messages.success(request, _("The export is queued; this page shows its progress."))
            return redirect("reports:exports")
    jobs = ExportJob.objects.filter(requester=request.user).order_by("-created_at")[:50]
    return render(
        request,
        "reports/exports.html",
        {"jobs": jobs, "form": form, "ttl_hours": settings.QA_EXPORT_TTL_HOURS},
        status=400,
    )


@never_cache
@login_required
def export_download(request, job_id):
    # Another person's export is a 404: its existence is not revealed.
    job = get_object_or_404(ExportJob, pk=job_id, requester=request.user)
    if job.expired:
        return HttpResponse(
            _("This export has expired; ask for it again."), status=410, content_type="text/plain"
        )
    if not job.downloadable:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
