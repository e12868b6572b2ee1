"""The reviewers' comparison: stored figures refreshed by the worker after a change.

Real commits (so that ``on_commit`` runs) and the database worker's own loop."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
)
from qa_tool.benchmarks.models import ComparisonFigures, PoolStamp

from ..factories import InstitutionFactory
from ..reports.test_background_exports import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH = "qa_tool.benchmarks.tasks.store_comparison_figures"


def submitted(rubric_version, cycle, level):
    assessment, _ = assessment_start(
        institution=InstitutionFactory(), rubric_version=rubric_version, cycle=cycle
    )
    answers = {f"C{i}": AnswerInput(value=level) for i in range(1, 6)}
    assessment_save_answers(assessment=assessment, answers=answers)
    assessment_submit(assessment=assessment)
    return assessment


def refreshes():
    return DBTaskResult.objects.filter(task_path=REFRESH).count()


def test_a_viewed_comparison_is_refreshed_once_by_the_worker_after_changes(
    client, reviewer, rubric_version, cycle
):
    submitted(rubric_version, cycle, 3)
    submitted(rubric_version, cycle, 1)
    client.force_login(reviewer)
    url = reverse("benchmarks:compare")
    assert client.get(url).context["total"] == 2
    # Three submissions: one refresh asked for, not three.
    for level in (2, 2, 0):
        submitted(rubric_version, cycle, level)
    assert refreshes() == 1
    assert PoolStamp.objects.get().refresh_queued
    run_worker()
    stored = ComparisonFigures.objects.get(filters="")
    assert (
        stored.token == PoolStamp.objects.get().token and not PoolStamp.objects.get().refresh_queued
    )
    # Levels 3, 1, 2, 2, 0 of 3 on every criterion: the median is 66.666667 % as stored.
    assert (
        stored.figures["total"] == 5
        and stored.figures["stats"]["overall"]["median"] == "66666667/1000000"
    )
    # The page reads them: no statistics computed on the request.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.context["total"] == 5
    assert not any("ROW_NUMBER" in q["sql"] for q in queries.captured_queries)
    # A later change asks again.
    submitted(rubric_version, cycle, 3)
    assert refreshes() == 2


def test_a_comparison_nobody_looked_at_asks_for_no_refresh(rubric_version, cycle):
    submitted(rubric_version, cycle, 3)
    submitted(rubric_version, cycle, 2)
    assert refreshes() == 0 and not ComparisonFigures.objects.exists()


def test_an_institution_saved_refreshes_every_viewed_comparison(
    client, reviewer, rubric_version, cycle
):
    peer = submitted(rubric_version, cycle, 3)
    client.force_login(reviewer)
    client.get(reverse("benchmarks:compare"))
    peer.institution.region = "north-africa"
    peer.institution.save()
    assert refreshes() == 1
    run_worker()
    stored = ComparisonFigures.objects.get(filters="")
    assert "north-africa" in stored.figures["offered"]["region"]
