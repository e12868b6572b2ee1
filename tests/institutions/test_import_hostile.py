"""Hostile institutions files: each is a located problem, never a traceback; nothing saved."""

import pytest

from qa_tool.institutions.models import Institution
from qa_tool.institutions.services import InstitutionImportError, institutions_import

HEADER = "code,name,country,region,type,size\n"
GOOD = "KE-01,Good University,KE,east-africa,public,25000\n"


def refused(text: str) -> list[str]:
    with pytest.raises(InstitutionImportError) as caught:
        institutions_import(text=text)
    assert not Institution.objects.exists()
    return [str(p) for p in caught.value.problems]


@pytest.mark.django_db
def test_a_field_over_the_csv_field_limit():
    text = HEADER + GOOD + 'EG-02,"' + "x" * 200_000 + '",EG,north-africa,public,100\n'
    assert refused(text) == [
        "line 3: the CSV cannot be read here (field larger than field limit (131072))"
    ]


@pytest.mark.django_db
def test_a_header_over_the_csv_field_limit():
    assert refused('"' + "x" * 200_000 + '"\n') == [
        "line 1: the CSV cannot be read here (field larger than field limit (131072))"
    ]


@pytest.mark.django_db
def test_a_bare_carriage_return_in_an_unquoted_field():
    text = HEADER + GOOD + "EG-02,Nile\rTest,EG,north-africa,public,100\n"
    problems = refused(text)
    assert problems == [
        "line 3: the CSV cannot be read here "
        "(new-line character seen in unquoted field - "
        "do you need to open the file in universal-newline mode?)"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["²", "١٢٣", "1" * 41])
def test_a_size_that_is_not_ascii_digits(size):
    problems = refused(HEADER + f"EG-02,Nile,EG,north-africa,public,{size}\n")
    assert len(problems) == 1
    assert problems[0].startswith("line 2 (EG-02): size:")
    assert "or a number of students" in problems[0]


@pytest.mark.django_db
def test_a_nul_character_is_refused():
    problems = refused(HEADER + GOOD + "EG-02,Nile\x00Uni,EG,north-africa,public,100\n")
    assert problems == ["line 3: name: contains a NUL character, which cannot be stored"]


@pytest.mark.django_db
def test_an_overlong_optional_text_is_refused_without_quoting_it():
    text = "code,name,country,region,type,size,delivery_mode\n"
    problems = refused(text + "EG-02,Nile,EG,north-africa,public,100," + "y" * 100_000 + "\n")
    assert problems == ["line 2: delivery_mode: is longer than 200 characters (100000)"]


@pytest.mark.django_db
def test_extra_values_beyond_the_header_are_ignored():
    institutions_import(text=HEADER + GOOD.rstrip("\n") + ",extra,values\n")
    assert Institution.objects.get().name == "Good University"
