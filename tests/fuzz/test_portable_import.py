"""Fuzzing the portable assessment import: random JSON-like data and mutated valid files
end in an AssessmentError or an assessment, quickly, and a refusal changes nothing."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qa_tool.assessments.models import Assessment, AuditEvent, Response
from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.services import AssessmentError

from ..factories import InstitutionFactory, import_doc
from .strategies import bounded_time, json_values, mutate

VALID = {
    "institution": "HOME",
    "rubric": "test-rubric",
    "version": "1",
    "cycle": "2026",
    "status": "validated",
    "responses": {
        "C1": {
            "value": 3,
            "justification": "Policy approved.",
            "evidence_links": ["https://e.org/p"],
        },
        "C2": {"value": 2, "justification": ""},
        "C3": {"value": "na", "justification": "No such programme."},
        "C4": {"value": 1, "justification": "Pilot only."},
        "C5": {"value": 0, "justification": "Not started."},
    },
    "review": {"C1": {"value": 2, "comment": "Not yet everywhere."}, "C2": {"value": None}},
    "review_comment": "Validated with changes.",
}


def snapshot() -> tuple:
    return (
        list(Assessment.objects.values_list("pk", "status", "cycle__name", "updated_at")),
        list(
            Response.objects.order_by("pk").values_list(
                "pk", "value", "is_na", "justification", "evidence_links", "revision"
            )
        ),
        AuditEvent.objects.count(),
    )


class PortableImportFuzz(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        InstitutionFactory(code="HOME", name="Home University")
        import_doc()

    def check(self, data: object) -> None:
        before = snapshot()
        with bounded_time():
            try:
                assessment = assessment_import(data=data)
            except AssessmentError as error:
                assert error.problems
                assert snapshot() == before
                return
        assert isinstance(assessment, Assessment)

    @given(json_values)
    def test_random_data(self, data: object) -> None:
        self.check(data)

    @given(st.data())
    def test_mutations_of_a_valid_file(self, data: st.DataObject) -> None:
        self.check(json.loads(json.dumps(mutate(data.draw, VALID))))

    def test_the_valid_file_is_imported(self) -> None:
        assert assessment_import(data=json.loads(json.dumps(VALID))).status == "validated"
