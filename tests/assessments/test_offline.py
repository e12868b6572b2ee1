"""Applying a checked offline workbook: the assessments' one state change of an upload."""

from __future__ import annotations

import pytest

from qa_tool.assessments.models import AuditEvent, Response
from qa_tool.assessments.offline import assessment_apply_workbook
from qa_tool.assessments.services import AnswerInput, AssessmentError, assessment_save_answers
from qa_tool.institutions.models import Role

from ..factories import UserFactory


def revisions(assessment) -> dict[str, int]:
    return {
        r.criterion.code: r.revision
        for r in Response.objects.filter(assessment=assessment).select_related("criterion")
    }


def test_nothing_to_apply_changes_nothing(assessment, officer):
    events = AuditEvent.objects.count()
    assert (
        assessment_apply_workbook(
            assessment=assessment, answers={}, base_revisions={}, actor=officer
        )
        == 0
    )
    assert AuditEvent.objects.count() == events


def test_answers_are_saved_through_the_wizards_service(assessment, officer):
    changed = assessment_apply_workbook(
        assessment=assessment,
        answers={"C5": AnswerInput(value=2, justification="from Excel")},
        base_revisions={"C5": 0},
        actor=officer,
    )
    assert changed == 1
    saved = Response.objects.get(assessment=assessment, criterion__code="C5")
    assert (saved.value, saved.justification) == (2, "from Excel")
    assert AuditEvent.objects.filter(assessment=assessment, source="workbook").exists()


def test_a_conflict_is_located_at_its_cell_and_nothing_is_saved(assessment, officer, institution):
    colleague = UserFactory(username="colleague", role=Role.OFFICER, institution=institution)
    base = revisions(assessment)
    assessment_save_answers(
        assessment=assessment, answers={"C1": AnswerInput(value=0)}, actor=colleague
    )
    before = revisions(assessment)
    with pytest.raises(AssessmentError) as caught:
        assessment_apply_workbook(
            assessment=assessment,
            answers={"C1": AnswerInput(value=1), "C5": AnswerInput(value=2)},
            base_revisions={"C1": base["C1"], "C5": 0},
            actor=officer,
            locations={"C1": "Answers!B2"},
        )
    (problem,) = caught.value.problems
    assert problem.where == "Answers!B2"
    assert problem.what.startswith("C1 was changed by colleague since you opened it.")
    assert problem.what.endswith("Download the workbook again to see the current answers.")
    assert revisions(assessment) == before
