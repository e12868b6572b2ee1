"""Background exports through django-tasks: queued by the page, run by the real database
worker (`db_worker`'s loop, in this process), downloaded by the requester only."""

import io
import os
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
)
from qa_tool.benchmarks.models import ScoreSummary
from reports.models import ExportJob

from ..factories import InstitutionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    """The database worker's own loop, until the queue is empty."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def submit_all(assessment):
    answers = {f"C{i}": AnswerInput(value=i % 4) for i in range(1, 6)}
    assessment_save_answers(assessment=assessment, answers=answers)
    assessment_submit(assessment=assessment)
    return assessment


@pytest.fixture
def cycle_of_two(assessment, rubric_version, cycle):
    """Two submitted assessments (HOME, PEER) and one draft (DRAFT) of the same cycle."""
    submit_all(assessment)
    peer, _ = assessment_start(
        institution=InstitutionFactory(code="PEER"), rubric_version=rubric_version, cycle=cycle
    )
    submit_all(peer)
    assessment_start(
        institution=InstitutionFactory(code="DRAFT"), rubric_version=rubric_version, cycle=cycle
    )
    return rubric_version, cycle


def ask_for_batch(client, version, cycle, fmt="xlsx", language="fr"):
    return client.post(
        reverse("reports:export_batch"),
        {"version": version.pk, "cycle": cycle.pk, "format": fmt, "language": language},
    )


def test_a_reviewer_gets_every_submitted_report_of_a_cycle_as_one_zip(
    client, reviewer, cycle_of_two
):
    version, cycle = cycle_of_two
    client.force_login(reviewer)
    response = ask_for_batch(client, version, cycle, fmt="pdf")
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    page = client.get(reverse("reports:exports")).content.decode()
    # Queued, not yet run: the page says so and reloads itself to show progress.
    assert "waiting" in page and 'http-equiv="refresh"' in page
    assert DBTaskResult.objects.count() == 1

    run_worker()

    job = ExportJob.objects.get()
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    page = client.get(reverse("reports:exports")).content.decode()
    assert "2 of 2" in page and 'http-equiv="refresh"' not in page
    assert job.filename == f"test-rubric-1-{cycle.name}-pdf-fr.zip"
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        f"home-test-rubric-{cycle.name}-fr.pdf",
        f"peer-test-rubric-{cycle.name}-fr.pdf",
    ]
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_only_the_requester_may_download_and_only_reviewers_may_export_a_cycle(
    client, reviewer, officer, outsider, cycle_of_two
):
    version, cycle = cycle_of_two
    client.force_login(reviewer)
    ask_for_batch(client, version, cycle)
    run_worker()
    job = ExportJob.objects.get()
    for person in (officer, outsider):
        client.force_login(person)
        assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
        assert job.title not in client.get(reverse("reports:exports")).content.decode()
        assert ask_for_batch(client, version, cycle).status_code == 403
    assert ExportJob.objects.count() == 1


def test_a_bad_choice_is_refused_and_nothing_is_queued(client, reviewer, cycle_of_two):
    version, cycle = cycle_of_two
    client.force_login(reviewer)
    response = ask_for_batch(client, version, cycle, fmt="json")
    assert response.status_code == 400 and "json" in response.content.decode()
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()


def test_an_expired_export_is_gone(client, reviewer, cycle_of_two):
    version, cycle = cycle_of_two
    client.force_login(reviewer)
    ask_for_batch(client, version, cycle)
    run_worker()
    job = ExportJob.objects.get()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("reports:export_download", args=[job.pk]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    # The next export run removes expired files and rows.
    ask_for_batch(client, version, cycle)
    run_worker()
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not os.path.exists(path)


def test_a_long_pdf_is_rendered_in_the_background(client, officer, outsider, assessment, settings):
    settings.QA_INLINE_PDF_MAX_CRITERIA = 4  # the test rubric has 5 criteria
    client.force_login(officer)
    response = client.get(reverse("reports:report", args=[assessment.pk, "pdf"]))
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    run_worker()
    job = ExportJob.objects.get()
    assert job.state == "done" and job.kind == "report"
    content = b"".join(
        client.get(reverse("reports:export_download", args=[job.pk])).streaming_content
    )
    assert content.startswith(b"%PDF")
    client.force_login(outsider)
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    # An outsider cannot even queue one: the assessment is not theirs.
    assert client.get(reverse("reports:report", args=[assessment.pk, "pdf"])).status_code == 404
    assert ExportJob.objects.count() == 1


def test_a_pdf_over_its_time_limit_is_given_up_with_a_clear_message(
    client, officer, assessment, settings
):
    settings.QA_INLINE_PDF_MAX_CRITERIA = 4
    settings.QA_PDF_TIME_LIMIT = 0.01
    client.force_login(officer)
    client.get(reverse("reports:report", args=[assessment.pk, "pdf"]))
    run_worker()
    job = ExportJob.objects.get()
    assert job.state == "failed" and not job.file
    assert (
        "took longer than 0.01 seconds" in client.get(reverse("reports:exports")).content.decode()
    )


def test_score_summaries_are_refreshed_by_the_worker(cycle_of_two):
    ScoreSummary.objects.all().delete()
    out = StringIO()
    call_command("refresh_score_summaries", "--background", stdout=out)
    assert "Queued" in out.getvalue() and not ScoreSummary.objects.exists()
    run_worker()
    assert ScoreSummary.objects.count() == 3
