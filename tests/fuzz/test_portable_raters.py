"""Fuzzing the portable file's raters: mutated files end in an AssessmentError or an
assessment, quickly, and a refusal changes nothing (answers, ratings, history)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qa_tool.assessments.models import Assessment, AuditEvent, Response
from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.services import AssessmentError
from qa_tool.panels.models import Rater, Rating

from ..factories import InstitutionFactory, import_doc
from .strategies import bounded_time, mutate

VALID = {
    "institution": "HOME",
    "rubric": "test-rubric",
    "version": "1",
    "cycle": "2026",
    "status": "submitted",
    "raters": {
        "Amina": {"C1": 3, "C2": 2, "C3": "na", "C4": 0, "C5": 1},
        "Bruno": {"C1": 1, "C2": 2, "C3": "na", "C4": 2, "C5": 1},
        "Chen": {"C1": 3, "C2": 3, "C3": 2, "C4": 1, "C5": None},
    },
}


def snapshot() -> tuple:
    return (
        list(Assessment.objects.values_list("pk", "status", "updated_at")),
        list(Response.objects.order_by("pk").values_list("pk", "value", "is_na", "revision")),
        list(Rater.objects.order_by("pk").values_list("pk", "label", "submitted_at")),
        list(Rating.objects.order_by("pk").values_list("pk", "value", "is_na")),
        AuditEvent.objects.count(),
    )


class PortableRatersFuzz(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        InstitutionFactory(code="HOME", name="Home University")
        import_doc()

    @given(st.data())
    def test_mutations_of_a_file_with_raters(self, data: st.DataObject) -> None:
        mutated = json.loads(json.dumps(mutate(data.draw, VALID)))
        before = snapshot()
        with bounded_time():
            try:
                assessment = assessment_import(data=mutated)
            except AssessmentError as error:
                assert error.problems
                assert snapshot() == before
                return
        assert isinstance(assessment, Assessment)

    def test_the_valid_file_is_imported(self) -> None:
        assessment = assessment_import(data=json.loads(json.dumps(VALID)))
        assert assessment.status == "submitted"
        assert Rater.objects.filter(panel__assessment=assessment).count() == 3
