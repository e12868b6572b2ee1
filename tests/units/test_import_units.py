"""import_units: all rows or none, every bad row by line and column, re-import updates."""

import pytest
from django.core.management import CommandError, call_command

from qa_tool.institutions.models import Unit, UnitProgramme
from qa_tool.institutions.units import UnitImportError, units_import

from ..factories import import_doc, rubric_doc

GOOD = """institution,level,code,title,parent
HOME,programme,BED,Bachelor of Education,
HOME,course,EDU101,Online Teaching,BED
HOME,course,RES1,Research Methods,BED
HOME,programme,MSC,MSc Data,
HOME,course,RES1,Research Methods,MSC
HOME,course,GEN1,Digital Literacy,
AWAY,course,EDU101,Another institution's course,
"""


def links():
    return set(UnitProgramme.objects.values_list("course__code", "programme__code"))


def test_import_creates_units_and_programme_links(institution, other_institution):
    summary = units_import(text=GOOD)
    assert (summary.created, summary.updated, summary.unchanged) == (6, 0, 0)
    home = dict(Unit.objects.filter(institution=institution).values_list("code", "level"))
    assert home == {
        "BED": "programme",
        "EDU101": "course",
        "RES1": "course",
        "MSC": "programme",
        "GEN1": "course",
    }
    # Codes are unique within an institution, not across institutions.
    assert Unit.objects.get(institution=other_institution, code="EDU101").title.startswith(
        "Another"
    )
    # A course shared by two programmes; a course in none.
    assert links() == {("EDU101", "BED"), ("RES1", "BED"), ("RES1", "MSC")}


def test_reimport_updates_titles_and_deletes_nothing(institution, other_institution, cycle):
    units_import(text=GOOD)
    version = import_doc(rubric_doc(slug="test-course", level="course"))
    from qa_tool.assessments.services import assessment_start

    gen = Unit.objects.get(institution=institution, code="GEN1")
    assessment_start(institution=institution, rubric_version=version, cycle=cycle, subject=gen)
    smaller = "institution,level,code,title,parent\nHOME,course,EDU101,Teaching Online (new),BED\n"
    summary = units_import(text=smaller)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    assert Unit.objects.get(institution=institution, code="EDU101").title == "Teaching Online (new)"
    # Units absent from the file, and the one with an assessment, are still there.
    assert Unit.objects.filter(institution=institution).count() == 5
    assert gen.assessments.count() == 1


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_saved(
    institution, other_institution
):
    text = """institution,level,code,title,parent
HOME,programme,BED,Bachelor of Education,
HOME,faculty,F1,A faculty,
HOME,course,,No code,
NOWHERE,course,N1,Unknown institution,
HOME,course,C1,,
HOME,course,C2,Parent unknown,NOPE
HOME,course,C3,Parent is a course,C2
HOME,programme,BED,Bachelor again,
HOME,programme,P9,Programme with a parent,BED
HOME,course,bad code!,Spaces,
"""
    with pytest.raises(UnitImportError) as caught:
        units_import(text=text)
    where = [(p.where, p.what) for p in caught.value.problems]
    assert ("line 3, column level", "'faculty' is not programme or course") in where
    assert ("line 4, column code", "required") in where
    assert ("line 6, column title", "required") in where
    assert ("line 9, column code", "BED appears again (first on line 2)") in where
    assert ("line 10, column parent", "only a course has a parent programme") in where
    assert any(w == "line 11, column code" for w, _ in where)
    assert Unit.objects.count() == 0
    # References are checked once the rows themselves are sound.
    text = """institution,level,code,title,parent
NOWHERE,course,N1,Unknown institution,
HOME,course,C2,Parent unknown,NOPE
HOME,course,C3,Parent is a course,C2
"""
    with pytest.raises(UnitImportError) as caught:
        units_import(text=text)
    assert [(p.where, p.what) for p in caught.value.problems] == [
        ("line 2, column institution", "no institution with the code NOWHERE"),
        ("line 3, column parent", "no programme with the code NOPE in HOME"),
        ("line 4, column parent", "C2 is not a programme"),
    ]
    assert Unit.objects.count() == 0


def test_a_units_level_cannot_change(institution):
    units_import(text="institution,level,code,title\nHOME,course,X,Course X\n")
    with pytest.raises(UnitImportError) as caught:
        units_import(text="institution,level,code,title\nHOME,programme,X,Course X\n")
    assert caught.value.problems[0].where == "line 2, column level"


def test_missing_columns(institution):
    with pytest.raises(UnitImportError) as caught:
        units_import(text="institution,code\nHOME,X\n")
    assert str(caught.value.problems[0]) == "header: missing column(s) level, title"


def test_command(institution, other_institution, tmp_path, capsys):
    good = tmp_path / "units.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import_units", str(good))
    assert "6 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("institution,level,code,title\nHOME,faculty,F,F\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_units", str(bad))
    assert "bad.csv: line 2, column level" in capsys.readouterr().err


def test_hostile_files_are_refused_with_located_problems(institution):
    with pytest.raises(UnitImportError) as caught:
        units_import(text="institution,level,code,title\nHOME,course,A\x00B,Title\n")
    assert caught.value.problems[0].where == "line 2, column code"
    with pytest.raises(UnitImportError) as caught:
        units_import(text="institution,level,code,title\nHOME,course,A,bare\rcr\n")
    assert caught.value.problems[0].where.startswith("line ")
    with pytest.raises(UnitImportError) as caught:
        units_import(text="x" * 5_000_001)
    assert "longer than" in caught.value.problems[0].what
    assert Unit.objects.count() == 0
