"""What keeps stored benchmark figures in step with the data they were computed from.

A summary is rewritten on every status change (``score_summary_refresh``); a pool's
stored comparison figures are computed again after any change to it (``pool_changed``):
a summary saved, an assessment deleted (its summary goes with it), an institution saved
(its name and structural fields are in every comparison it is in).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_delete

from qa_tool.assessments.models import Assessment
from qa_tool.assessments.signals import status_changed
from qa_tool.institutions.models import Institution

from .comparison import pool_changed
from .models import ScoreSummary
from .services import score_summary_refresh


def _refresh(sender: Any, *, assessment: Assessment, **kwargs: Any) -> None:
    score_summary_refresh(assessment=assessment)


def _summary_saved(
    sender: Any, *, instance: ScoreSummary, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:  # loading a backup: the stamps are restored with the figures
        assessment = instance.assessment
        pool_changed(rubric_version_id=assessment.rubric_version_id, cycle_id=assessment.cycle_id)


def _assessment_deleted(sender: Any, *, instance: Assessment, **kwargs: Any) -> None:
    pool_changed(rubric_version_id=instance.rubric_version_id, cycle_id=instance.cycle_id)


def _institution_saved(sender: Any, *, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        pool_changed()


def connect() -> None:
    # Strong references and dispatch uids: exactly one call per event.
    status_changed.connect(_refresh, weak=False, dispatch_uid="benchmarks.summary_refresh")
    post_save.connect(
        _summary_saved, sender=ScoreSummary, weak=False, dispatch_uid="benchmarks.pool.summary"
    )
    pre_delete.connect(
        _assessment_deleted, sender=Assessment, weak=False, dispatch_uid="benchmarks.pool.deleted"
    )
    post_save.connect(
        _institution_saved,
        sender=Institution,
        weak=False,
        dispatch_uid="benchmarks.pool.institution",
    )
