"""Background exports: asking for one, running it in the worker, and letting files expire.

The request side (``export_batch_request``, ``export_report_request``) runs in the web
process: it checks who may ask, stores an ``ExportJob`` and enqueues ``run_export`` once
the job is committed. The worker runs ``export_run``, which reads everything again
through the requester's access, so a person who lost access in between gets nothing.
"""

from __future__ import annotations

import signal
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qa_tool.assessments.models import Assessment, Cycle, Status
from qa_tool.benchmarks.audience import Audience
from qa_tool.core.refusals import Problem, Refusal
from qa_tool.core.roles import is_centre
from rubrics.models import RubricVersion

from .context import build_report_context
from .exporters import EXPORTERS
from .models import ExportJob

BATCH_FORMATS = ("pdf", "xlsx")


class ReportTimeout(Exception):
    """A report took longer than ``QA_PDF_TIME_LIMIT`` seconds."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Stop the block with ReportTimeout after ``seconds``.

    The worker runs tasks in its main thread, where an interval timer can interrupt
    WeasyPrint's layout; elsewhere (threads of a development server) there is no limit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ReportTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def batch_assessments(user: Any, version: RubricVersion, cycle: Cycle):
    """The submitted and validated assessments of a rubric version and cycle that ``user``
    may read, in institution order: what a batch export holds."""
    return (
        Assessment.objects.visible_to(user)
        .filter(
            rubric_version=version,
            cycle=cycle,
            status__in=[Status.SUBMITTED, Status.VALIDATED],
        )
        .select_related("institution", "cycle", "rubric_version__rubric", "subject")
        .order_by("institution__code", "subject__code", "pk")
    )


def _enqueue(job: ExportJob) -> ExportJob:
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(str(job.pk)))
    return job


def export_batch_request(
    *, user: Any, version: RubricVersion, cycle: Cycle, fmt: str, language: str
) -> ExportJob:
    """Queue a ZIP of every report of a cycle (reviewers of the centre only)."""
    problems = []
    if not is_centre(user):
        problems.append(Problem(_("Only reviewers of the centre can export a whole cycle.")))
    if fmt not in BATCH_FORMATS:
        problems.append(Problem(_("Choose PDF or Excel."), where="format"))
    if language not in dict(settings.LANGUAGES):
        problems.append(Problem(_("Choose a language of the site."), where="language"))
    if problems:
        raise Refusal(problems)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=user,
            kind=ExportJob.Kind.BATCH,
            params={
                "rubric_version": version.pk,
                "cycle": cycle.pk,
                "format": fmt,
                "language": language,
            },
            title=f"{version.display_title} {version.version} · {cycle.name} · "
            f"{fmt.upper()} · {language}",
        )
        return _enqueue(job)


def export_report_request(
    *, user: Any, assessment: Assessment, fmt: str, language: str, group: str | None
) -> ExportJob:
    """Queue one report (a long PDF): the caller has already checked that ``user`` may
    read ``assessment``."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=user,
            kind=ExportJob.Kind.REPORT,
            params={
                "assessment": assessment.pk,
                "format": fmt,
                "language": language,
                "group": group,
            },
            title=f"{assessment} · {fmt.upper()} · {language}",
            total=1,
        )
        return _enqueue(job)


def export_run(job_id: str) -> str:
    """Run a queued export to its end; returns the final state (the worker's entry)."""
    job = ExportJob.objects.select_related("requester").filter(pk=job_id).first()
    if job is None or job.state != ExportJob.State.QUEUED:
        return "gone"
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            if job.kind == ExportJob.Kind.BATCH:
                _run_batch(job)
            else:
                _run_report(job)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED,
            finished_at=timezone.now(),
            problems=[_("The export failed: %(reason)s") % {"reason": type(exc).__name__}],
        )
        raise
    finally:
        exports_prune()
    return ExportJob.objects.values_list("state", flat=True).get(pk=job.pk)


def _render(user: Any, assessment: Assessment, params: dict[str, Any]) -> tuple[str, bytes]:
    context = build_report_context(
        assessment=assessment,
        audience=Audience.of(user),
        group=params.get("group"),
        language=params["language"],
    )
    with time_limit(settings.QA_PDF_TIME_LIMIT):
        filename, _type, content = EXPORTERS[params["format"]].render(context)
    return filename, content


def _run_report(job: ExportJob) -> None:
    params = job.params
    assessment = (
        Assessment.objects.visible_to(job.requester)
        .select_related("institution", "cycle", "rubric_version__rubric")
        .filter(pk=params["assessment"])
        .first()
    )
    if assessment is None:
        _finish(job, None, "", [_("You can no longer read this assessment.")])
        return
    try:
        filename, content = _render(job.requester, assessment, params)
    except ReportTimeout:
        _finish(job, None, "", [_time_problem()])
        return
    with tempfile.TemporaryFile() as spool:
        spool.write(content)
        _finish(job, spool, filename, [])


def _time_problem() -> str:
    return _("The report took longer than %(seconds)s seconds and was given up.") % {
        "seconds": settings.QA_PDF_TIME_LIMIT
    }


def _run_batch(job: ExportJob) -> None:
    params = job.params
    version = RubricVersion.objects.select_related("rubric").get(pk=params["rubric_version"])
    cycle = Cycle.objects.get(pk=params["cycle"])
    assessments = list(batch_assessments(job.requester, version, cycle))
    ExportJob.objects.filter(pk=job.pk).update(total=len(assessments))
    problems: list[str] = []
    names: set[str] = set()
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            for assessment in assessments:
                try:
                    filename, content = _render(job.requester, assessment, params)
                except ReportTimeout:
                    problems.append(f"{assessment}: {_time_problem()}")
                else:
                    archive.writestr(_unique(filename, assessment.pk, names), content)
                ExportJob.objects.filter(pk=job.pk).update(done=F("done") + 1)
            if problems:
                archive.writestr("problems.txt", "\n".join(problems) + "\n")
        name = f"{version.rubric.slug}-{version.version}-{cycle.name}-{params['format']}"
        _finish(job, spool, f"{name}-{params['language']}.zip", problems)


def _unique(filename: str, pk: int, taken: set[str]) -> str:
    # Course reviews of one institution share its code: the assessment id tells them apart.
    if filename in taken:
        stem, dot, extension = filename.rpartition(".")
        filename = f"{stem}-{pk}{dot}{extension}"
    taken.add(filename)
    return filename


def _finish(job: ExportJob, spool: Any, filename: str, problems: list[str]) -> None:
    now = timezone.now()
    job.refresh_from_db()
    job.problems = problems
    job.finished_at = now
    job.expires_at = now + timedelta(hours=settings.QA_EXPORT_TTL_HOURS)
    if spool is None:
        job.state = ExportJob.State.FAILED
    else:
        spool.seek(0)
        job.filename = filename
        job.file.save(filename, File(spool), save=False)
        job.state = ExportJob.State.DONE
    job.save()


def exports_prune() -> int:
    """Delete expired exports and their files; returns how many."""
    expired = list(ExportJob.objects.filter(expires_at__lte=timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
