"""Fuzzing the institutions CSV import: random texts, with and without a valid header, end
in an InstitutionImportError or an import, quickly, and a refusal changes nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qa_tool.institutions.models import Institution
from qa_tool.institutions.services import InstitutionImportError, institutions_import

from ..factories import InstitutionFactory
from .strategies import TRICKY_TEXTS, bounded_time

HEADER = "code,name,country,region,type,size,delivery_mode\n"
GOOD_ROW = "KE-01,Good University,KE,east-africa,public,25000,online\n"

PIECES = st.sampled_from(
    [
        ",",
        '"',
        '""',
        "\n",
        "\r",
        "\r\n",
        "KE",
        "KE-01",
        "Egypt",
        "east-africa",
        "public",
        "private",
        "small",
        "25000",
        "1,000",
        "online",
        *TRICKY_TEXTS,
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(PIECES, max_size=40).map("".join),
    st.lists(PIECES, max_size=40).map(lambda pieces: HEADER + "".join(pieces)),
    st.lists(st.sampled_from([GOOD_ROW, *TRICKY_TEXTS, ",", "\n"]), max_size=10).map(
        lambda pieces: HEADER + "".join(pieces)
    ),
)


def snapshot() -> list[tuple]:
    return list(Institution.objects.order_by("pk").values_list())


class InstitutionsCsvFuzz(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        InstitutionFactory(code="KE-01", name="Old name", size_band="small")

    @given(TEXTS)
    def test_random_text(self, text: str) -> None:
        before = snapshot()
        with bounded_time():
            try:
                summary = institutions_import(text=text)
            except InstitutionImportError as error:
                assert error.problems
                assert snapshot() == before
                return
        assert summary.created + summary.updated + summary.unchanged >= 1
