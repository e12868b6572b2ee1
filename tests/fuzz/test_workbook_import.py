"""Fuzzing the workbook import with mutations of a real exported workbook: random byte
flips in the zip, and random values written into its cells with openpyxl, end in a
WorkbookError or an import, quickly, and a refusal changes nothing."""

from __future__ import annotations

import datetime
import io

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qa_tool.assessments.models import AuditEvent, Response
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.institutions.models import Role
from reports.workbook import WorkbookError, export_workbook, import_workbook

from ..factories import CycleFactory, InstitutionFactory, UserFactory, import_doc
from .strategies import TRICKY_TEXTS, bounded_time

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.text(max_size=40).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.sampled_from(
        [t for t in TRICKY_TEXTS if not ILLEGAL_CHARACTERS_RE.search(t)]
        + ["Level 3", "N/A", "C1", "C6", "=1/0", "=A1", "#REF!", "https://e.org", "HOME"]
    ),
)
SHEETS = st.sampled_from(["Answers", "Answers", "Identity"])


def snapshot() -> tuple:
    return (
        list(
            Response.objects.order_by("pk").values_list(
                "pk", "value", "is_na", "justification", "evidence_links", "revision"
            )
        ),
        AuditEvent.objects.count(),
    )


class WorkbookImportFuzz(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        institution = InstitutionFactory(code="HOME", name="Home University")
        cls.officer = UserFactory(username="officer", role=Role.OFFICER, institution=institution)
        assessment, _ = assessment_start(
            institution=institution, rubric_version=import_doc(), cycle=CycleFactory(name="2026")
        )
        assessment_save_answers(
            assessment=assessment,
            answers={"C1": AnswerInput(value=3, justification="Strong policy")},
        )
        cls.exported = export_workbook(assessment=assessment, language="en")

    def check(self, data: bytes) -> None:
        before = snapshot()
        with bounded_time():
            try:
                changed = import_workbook(data=data, user=self.officer)
            except WorkbookError as error:
                assert error.problems
                assert snapshot() == before
                return
        assert changed >= 0

    @given(
        st.lists(
            st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
            min_size=1,
            max_size=8,
        )
    )
    def test_random_byte_flips(self, flips: list[tuple[int, int]]) -> None:
        data = bytearray(self.exported)
        for position, value in flips:
            data[position % len(data)] = value
        self.check(bytes(data))

    @given(
        st.lists(
            st.tuples(
                SHEETS,
                st.integers(min_value=1, max_value=12),
                st.integers(min_value=1, max_value=8),
                CELL_VALUES,
            ),
            min_size=1,
            max_size=6,
        )
    )
    def test_random_cell_values(self, writes: list[tuple[str, int, int, object]]) -> None:
        wb = openpyxl.load_workbook(io.BytesIO(self.exported))
        for sheet, row, column, value in writes:
            wb[sheet].cell(row=row, column=column).value = value
        buffer = io.BytesIO()
        wb.save(buffer)
        self.check(buffer.getvalue())

    def test_the_exported_workbook_is_accepted(self) -> None:
        assert import_workbook(data=self.exported, user=self.officer) == 0
