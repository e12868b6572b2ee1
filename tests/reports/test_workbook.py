"""The offline fill-in workbook: export, every check on upload, all or nothing, the pages."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from qa_tool.assessments.models import AuditEvent, Response, Status
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
)
from qa_tool.institutions.models import Role
from reports.cells import protect
from reports.workbook import (
    WorkbookError,
    export_workbook,
    import_workbook,
    read_workbook,
)
from reports.workbook.identity import read_identity

from ..factories import CycleFactory, UserFactory, import_doc, rubric_doc

RISKY = '=HYPERLINK("http://evil")'
LINKS = "https://example.org/policy.pdf\nhttps://example.org/minutes"
ROW = {"C1": 2, "C2": 3, "C3": 4, "C4": 5, "C5": 6}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ------------------------------------------------------------------------------------


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def state(assessment) -> dict:
    """Everything an import could change."""
    return {
        "responses": {
            r.criterion.code: (r.value, r.is_na, r.justification, r.evidence_links, r.revision)
            for r in Response.objects.filter(assessment=assessment).select_related("criterion")
        },
        "events": AuditEvent.objects.filter(assessment=assessment).count(),
    }


def answer(assessment, code: str) -> Response | None:
    return Response.objects.filter(assessment=assessment, criterion__code=code).first()


def exported(assessment, **kwargs) -> openpyxl.Workbook:
    kwargs.setdefault("language", "en")
    return load(export_workbook(assessment=assessment, **kwargs))


def sheet_of(wb: openpyxl.Workbook, key: str):
    """A sheet by the name the identity sheet records for it, as the upload finds it."""
    facts = {row[0]: row[1] for row in wb["Identity"].iter_rows(max_col=2, values_only=True)}
    return wb[facts[f"sheet_{key}"]]


def problems_of(data: bytes, user, **kwargs) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        import_workbook(data=data, user=user, **kwargs)
    return caught.value.problems


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def officer2(institution):
    return UserFactory(username="officer2", role=Role.OFFICER, institution=institution)


# --- export -------------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_prefilled_export_has_one_row_per_criterion_with_the_current_answers(assessment):
    ws = exported(assessment)["Answers"]
    assert [c.value for c in ws[1]] == [
        "Domain",
        "Code",
        "Criterion",
        "Guidance",
        "Level",
        "Justification",
        "Evidence links (one per line)",
    ]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["C1", "C2", "C3", "C4", "C5"]
    assert rows[0][0] == "D1 Domain one" and rows[3][0] == "D2 Domain two"
    assert rows[0][2] == "Criterion one"
    assert "Level 2: C1 at 2" in rows[0][3]  # the level descriptors help offline
    assert [r[4] for r in rows] == ["Level 3", "Level 2", "Not applicable", "Level 1", None]
    assert rows[0][5] == "Strong <b>policy</b>"


def test_risky_text_is_written_as_text(assessment):
    assessment_save_answers(
        assessment=assessment, answers={"C2": AnswerInput(value=2, justification=RISKY)}
    )
    cell = exported(assessment)["Answers"]["F3"]
    assert cell.value == RISKY and cell.data_type == "s" and cell.quotePrefix


def test_blank_export_has_empty_input_cells(assessment):
    ws = exported(assessment, prefilled=False)["Answers"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["C1", "C2", "C3", "C4", "C5"]
    assert all(r[4] is None and r[5] is None and r[6] is None for r in rows)


def test_level_list_lives_on_a_hidden_sheet_and_validation_points_at_it(assessment):
    wb = exported(assessment)
    levels = wb["Levels"]
    assert levels.sheet_state == "hidden"
    assert wb["Identity"].sheet_state in ("hidden", "veryHidden")
    assert [c.value for c in levels["A"]][:4] == ["Level 0", "Level 1", "Level 2", "Level 3"]
    assert [c.value for c in levels["B"]] == [
        "Level 0",
        "Level 1",
        "Level 2",
        "Level 3",
        "Not applicable",
    ]
    validations = wb["Answers"].data_validations.dataValidation
    assert len(validations) == 2
    by_range = {str(v.sqref): v for v in validations}
    assert set(by_range) == {"E2:E3 E5:E6", "E4"}  # row ranges, never whole columns
    assert by_range["E2:E3 E5:E6"].formula1 == "'Levels'!$A$1:$A$4"
    assert by_range["E4"].formula1 == "'Levels'!$B$1:$B$5"  # C3 allows N/A
    for validation in validations:
        assert validation.type == "list"
        assert not validation.showDropDown  # True would hide the arrow
        assert validation.formula1.startswith("'Levels'!")
        assert '"' not in validation.formula1  # not an inline list


def test_only_input_cells_are_unlocked_and_the_sheet_is_protected(assessment):
    wb = exported(assessment)
    ws = wb["Answers"]
    assert ws.protection.sheet
    assert wb.security.lockStructure  # hidden sheets stay hidden
    assert ws.freeze_panes == "A2"
    unlocked = {
        cell.coordinate
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 3, max_col=10)
        for cell in row
        if not cell.protection.locked
    }
    assert unlocked == {f"{col}{row}" for col in "EFG" for row in range(2, 7)}
    assert ws.column_dimensions["C"].width > 30 and ws.column_dimensions["F"].width > 30
    assert ws["C2"].alignment.wrap_text and ws["F2"].alignment.wrap_text


def test_identity_sheet_names_the_assessment_and_rubric_version(assessment):
    identity = exported(assessment)["Identity"]
    facts = {row[0]: row[1] for row in identity.iter_rows(max_row=9, values_only=True)}
    assert facts["assessment"] == assessment.pk
    assert facts["institution"] == "HOME"
    assert facts["rubric"] == "test-rubric" and facts["version"] == "1"
    assert facts["cycle"] == "2026" and facts["language"] == "en"


# --- round trips --------------------------------------------------------------------------------


def test_round_trip_applies_the_answers_exactly_as_typed(assessment, officer):
    before = state(assessment)["responses"]
    wb = exported(assessment)
    ws = wb["Answers"]
    ws["E6"] = "Level 2"
    protect(ws["F6"], RISKY)
    ws["G6"] = LINKS

    assert import_workbook(data=save(wb), user=officer) == 1

    c5 = answer(assessment, "C5")
    assert (c5.value, c5.is_na, c5.justification, c5.evidence_links) == (
        Decimal(2),
        False,
        RISKY,
        LINKS,
    )
    assert c5.updated_by == officer
    after = state(assessment)["responses"]
    assert {k: v for k, v in after.items() if k != "C5"} == before  # untouched rows untouched
    events = AuditEvent.objects.filter(assessment=assessment, action=AuditEvent.Action.ANSWER)
    workbook_events = events.filter(source="workbook")
    assert set(workbook_events.values_list("criterion_code", "field")) == {
        ("C5", "level"),
        ("C5", "justification"),
        ("C5", "links"),
    }
    assert all(e.actor == officer for e in workbook_events)
    assert workbook_events.get(field="justification").new == RISKY


def test_changing_and_clearing_prefilled_answers(assessment, officer):
    wb = exported(assessment)
    ws = wb["Answers"]
    ws["E2"] = "Level 1"  # C1 3 -> 1, justification kept
    ws["E4"] = None  # C3 N/A -> unanswered
    ws["E5"] = "Not applicable"  # C4 does not allow N/A...
    ws["E5"] = "Level 0"  # ...so the officer picks level 0
    assert import_workbook(data=save(wb), user=officer) == 3
    c1, c3, c4 = (answer(assessment, code) for code in ("C1", "C3", "C4"))
    assert (c1.value, c1.justification) == (Decimal(1), "Strong <b>policy</b>")
    assert (c3.value, c3.is_na) == (None, False)
    assert c4.value == Decimal(0)
    assert not AuditEvent.objects.filter(source="workbook", field="justification").exists()


def test_an_untouched_workbook_changes_nothing(assessment, officer):
    # Line breaks typed in the browser (\r\n) become \n in a cell: still unchanged.
    assessment_save_answers(
        assessment=assessment,
        answers={"C2": AnswerInput(value=2, justification="line one\r\nline two")},
    )
    before = state(assessment)
    assert (
        import_workbook(data=export_workbook(assessment=assessment, language="en"), user=officer)
        == 0
    )
    assert state(assessment) == before


def test_a_changed_level_keeps_a_justification_with_browser_line_breaks(assessment, officer):
    assessment_save_answers(
        assessment=assessment,
        answers={"C2": AnswerInput(value=2, justification="line one\r\nline two")},
    )
    wb = exported(assessment)
    wb["Answers"]["E3"] = "Level 3"
    assert import_workbook(data=save(wb), user=officer) == 1
    c2 = answer(assessment, "C2")
    assert (c2.value, c2.justification) == (Decimal(3), "line one\r\nline two")


def test_blank_workbook_fills_in_and_keeps_what_it_leaves_empty(assessment, officer):
    before = state(assessment)
    untouched = export_workbook(assessment=assessment, prefilled=False, language="en")
    assert import_workbook(data=untouched, user=officer) == 0
    assert state(assessment) == before

    wb = load(untouched)
    ws = wb["Answers"]
    ws["E6"] = "Level 1"  # C5 answered
    ws["G2"] = "https://example.org/new"  # C1: only a link added; its level and text stay
    assert import_workbook(data=save(wb), user=officer) == 2
    c1, c5 = answer(assessment, "C1"), answer(assessment, "C5")
    assert (c1.value, c1.justification, c1.evidence_links) == (
        Decimal(3),
        "Strong <b>policy</b>",
        "https://example.org/new",
    )
    assert c5.value == Decimal(1)


def test_canonical_values_and_numbers_are_accepted(assessment, officer):
    wb = exported(assessment)
    ws = wb["Answers"]
    ws["E2"] = 2  # typed as a number
    ws["E5"] = "0"
    ws["E6"] = " level 3 "  # spacing and case do not matter
    ws["E4"] = "n/a"  # C3 was N/A already: unchanged
    assert import_workbook(data=save(wb), user=officer) == 3
    assert [answer(assessment, c).value for c in ("C1", "C4", "C5")] == [2, 0, 3]
    assert answer(assessment, "C3").is_na


# --- every problem, nothing applied -------------------------------------------------------------


def _set(cell, value):
    def change(wb):
        sheet, coordinate = cell.split("!")
        wb[sheet][coordinate] = value

    return change


def _swap_codes(wb):
    ws = wb["Answers"]
    ws["B5"], ws["B6"] = "C5", "C4"


ERRORS = [
    ("unknown level", _set("Answers!E6", "Level 9"), 'Answers!E6: "Level 9" is not a level'),
    ("N/A not allowed", _set("Answers!E3", "Not applicable"), "Answers!E3: N/A is not allowed"),
    ("changed code", _set("Answers!B5", "C9"), 'Answers!B5: "C9" is not a criterion code'),
    ("swapped codes", _swap_codes, "Answers!B5: the criterion code was changed from C4 to C5"),
    (
        "duplicated code",
        _set("Answers!B5", "C1"),
        "Answers!B5: criterion C1 appears more than once",
    ),
    ("removed code", _set("Answers!B5", None), "Answers!B5: the criterion code C4 was removed"),
    ("extra row", _set("Answers!B9", "C6"), 'Answers!B9: "C6" is not a criterion code'),
    ("bad link", _set("Answers!G2", "not a web address"), "Answers!G2: not a web address"),
    ("long text", _set("Answers!F2", "x" * 10001), "Answers!F2: the justification is longer"),
    (
        "another institution",
        _set("Identity!B4", "AWAY"),
        "Identity!B4: this workbook is for institution AWAY, not HOME.",
    ),
    (
        "another rubric version",
        _set("Identity!B6", "2"),
        "Identity!B6: this workbook is for rubric version 2, not 1.",
    ),
    (
        "another rubric",
        _set("Identity!B5", "other-rubric"),
        "Identity!B5: this workbook is for rubric other-rubric",
    ),
    ("another cycle", _set("Identity!B7", "2020"), "Identity!B7: this workbook is for cycle 2020"),
]


@pytest.mark.parametrize(
    ("change", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_every_problem_is_located_and_nothing_is_applied(assessment, officer, change, expected):
    wb = exported(assessment)
    wb["Answers"]["F6"] = "a valid change that must not be applied"
    change(wb)
    before = state(assessment)
    problems = problems_of(save(wb), officer)
    assert any(p.startswith(expected) for p in problems), problems
    assert state(assessment) == before


def test_a_workbook_of_another_format_version(assessment, officer):
    wb = exported(assessment)
    wb["Identity"]["B2"] = 99
    assert problems_of(save(wb), officer) == [
        "Identity!B2: this workbook's format is not supported. Download the workbook again."
    ]


def test_all_problems_are_listed_together(assessment, officer):
    wb = exported(assessment)
    ws = wb["Answers"]
    ws["E6"] = "Level 9"
    ws["E3"] = "Not applicable"
    ws["G5"] = "ftp://example.org"
    ws["B4"] = "C1"
    problems = problems_of(save(wb), officer)
    assert [p.split(":")[0] for p in problems] == [
        "Answers!E3",
        "Answers!B4",
        "Answers!G5",
        "Answers!E6",
    ]


FORMULA_NOT_SAVED = "this cell holds a formula whose result was not saved; type the value instead."


@pytest.mark.parametrize("prefilled", [True, False])
def test_a_formula_without_a_saved_result_is_refused_not_read_as_empty(
    assessment, officer, prefilled
):
    # openpyxl writes formulas without calculating them: no cached result.
    wb = exported(assessment, prefilled=prefilled)
    ws = wb["Answers"]
    ws["E2"] = "=A1"  # C1 is 3: read as empty, this would clear (or, blank, keep) it
    ws["F3"] = '=CONCATENATE("Policy ", "text")'
    ws["G5"] = "=B5"
    ws["F6"] = "a valid change that must not be applied"
    before = state(assessment)
    assert problems_of(save(wb), officer) == [
        f"Answers!E2: {FORMULA_NOT_SAVED}",
        f"Answers!F3: {FORMULA_NOT_SAVED}",
        f"Answers!G5: {FORMULA_NOT_SAVED}",
    ]
    assert state(assessment) == before


def test_a_formula_in_an_empty_row_below_the_criteria_is_refused(assessment, officer):
    wb = exported(assessment)
    wb["Answers"]["E9"] = "=E2"
    assert problems_of(save(wb), officer) == [
        "Answers!B9: a row without a criterion code.",
        f"Answers!E9: {FORMULA_NOT_SAVED}",
    ]


def _with_cached_results(data: bytes, results: dict[str, tuple[str, str]]) -> bytes:
    """Give formula cells of the Answers sheet a saved result, as Excel does: cell -> (type, value)."""
    members = members_of(data)
    # The Instructions sheet comes first: Answers is the second sheet part.
    xml = members["xl/worksheets/sheet2.xml"].decode()
    for ref, (kind, value) in results.items():
        xml, count = re.subn(
            rf'(<c r="{ref}"[^>]*?)(?: t="[a-z]+")?([^>]*)><f>(.*?)</f><v\s*/>',
            rf'\1\2 t="{kind}"><f>\3</f><v>{value}</v>',
            xml,
        )
        assert count == 1, ref
    members["xl/worksheets/sheet2.xml"] = xml.encode()
    return zip_of(members)


def test_a_formulas_saved_result_is_used_as_typed(assessment, officer):
    wb = exported(assessment)
    ws = wb["Answers"]
    ws["E6"] = "=Levels!A3"
    ws["F6"] = '=CONCATENATE("Pilot ", "only")'
    data = _with_cached_results(save(wb), {"E6": ("str", "Level 2"), "F6": ("str", "Pilot only")})
    assert import_workbook(data=data, user=officer) == 1
    c5 = answer(assessment, "C5")
    assert (c5.value, c5.justification) == (Decimal(2), "Pilot only")


def test_a_formula_whose_saved_result_is_an_error_is_refused(assessment, officer):
    wb = exported(assessment)
    wb["Answers"]["F6"] = "=1/0"
    data = _with_cached_results(save(wb), {"F6": ("e", "#DIV/0!")})
    before = state(assessment)
    assert problems_of(data, officer) == [
        "Answers!F6: this cell's formula gives an error (#DIV/0!); type the value instead."
    ]
    assert state(assessment) == before


def test_workbook_of_another_assessment(assessment, officer, institution, rubric_version):
    other, _created = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=CycleFactory(name="2027")
    )
    data = export_workbook(assessment=other, language="en")
    problems = problems_of(data, officer, assessment_id=assessment.pk)
    assert problems == [
        f"Identity!B3: this workbook is for assessment {other.pk}, not for assessment "
        f"{assessment.pk}."
    ]


def test_tampered_assessment_number_is_checked_against_the_uploader(
    assessment, officer, other_institution, rubric_version, cycle
):
    away, _created = assessment_start(
        institution=other_institution, rubric_version=rubric_version, cycle=cycle
    )
    wb = exported(assessment)
    wb["Identity"]["B3"] = away.pk
    before = state(away)
    problems = problems_of(save(wb), officer)
    assert problems == [
        f"Identity!B3: assessment {away.pk} does not exist or is not one of your institution's."
    ]
    assert state(away) == before


def test_submitted_assessment_is_refused(assessment, officer):
    data = export_workbook(assessment=assessment, language="en")
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=1)})
    assessment_submit(assessment=assessment)
    wb = load(data)
    wb["Answers"]["F2"] = "late change"
    before = state(assessment)
    problems = problems_of(save(wb), officer)
    assert problems == ["Identity!B3: This assessment is Submitted and can no longer be changed."]
    assert state(assessment) == before


@pytest.mark.parametrize("persona", ["dean", "reviewer", "admin_user"])
def test_only_an_officer_of_the_institution_may_import(assessment, persona, request):
    user = request.getfixturevalue(persona)
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 2"
    before = state(assessment)
    problems = problems_of(save(wb), user)
    assert problems == [
        "Identity!B3: Only a quality officer of the institution may change this assessment."
    ]
    assert state(assessment) == before


def test_outsider_is_told_the_assessment_does_not_exist(assessment, outsider):
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 2"
    problems = problems_of(save(wb), outsider)
    assert problems == [
        f"Identity!B3: assessment {assessment.pk} does not exist or is not one of your "
        "institution's."
    ]
    assert answer(assessment, "C5") is None


# --- file defences ------------------------------------------------------------------------------


def test_not_a_zip(officer, assessment):
    assert problems_of(b"hello, world", officer) == ["The file is not an Excel workbook (.xlsx)."]
    assert problems_of(b"", officer) == ["The file is not an Excel workbook (.xlsx)."]


def test_a_zip_that_is_not_a_workbook(officer, assessment):
    data = zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"})
    assert problems_of(data, officer) == ["The file is not an Excel workbook (.xlsx)."]


def test_a_broken_workbook(officer, assessment):
    members = members_of(export_workbook(assessment=assessment, language="en"))
    members["xl/workbook.xml"] = b"<not-xml"
    assert problems_of(zip_of(members), officer) == [
        "The file could not be read as an Excel workbook."
    ]


def test_a_workbook_not_from_this_application(officer, assessment):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    problems = problems_of(save(wb), officer)
    assert len(problems) == 1 and problems[0].startswith("Identity: this workbook was not")


@pytest.mark.parametrize("macro", ["vba", "content-type"])
def test_macros_are_refused(assessment, officer, macro):
    members = members_of(export_workbook(assessment=assessment, language="en"))
    if macro == "vba":
        members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really"
    else:
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
        )
    assert problems_of(zip_of(members), officer) == [
        "Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."
    ]


def test_oversize_is_refused_before_reading(assessment, officer, settings):
    data = export_workbook(assessment=assessment, language="en")
    settings.WORKBOOK_MAX_BYTES = len(data) - 1
    problems = problems_of(data, officer)
    assert len(problems) == 1 and problems[0].startswith("The file is larger than the limit")
    assert problems_of(data, officer, max_bytes=len(data) - 1) == problems


@pytest.mark.parametrize("size", [60 * 1024 * 1024, 5 * 1024 * 1024])
def test_zip_bomb_is_refused_unopened(assessment, officer, size):
    members = members_of(export_workbook(assessment=assessment, language="en"))
    members["xl/worksheets/sheet9.xml"] = b"\0" * size
    data = zip_of(members)
    assert len(data) < 100 * 1024  # tiny, yet it unpacks to megabytes
    problems = problems_of(data, officer)
    assert len(problems) == 1 and "it is refused unopened" in problems[0]


def test_entity_expansion_is_not_parsed(assessment, officer):
    members = members_of(export_workbook(assessment=assessment, language="en"))
    # A "billion laughs" document type in the workbook part, which is always parsed.
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b"<workbook ",
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><workbook ',
        1,
    )
    assert b"<!ENTITY" in members["xl/workbook.xml"]
    assert problems_of(zip_of(members), officer) == [
        "The file could not be read as an Excel workbook."
    ]


# --- conflicts ----------------------------------------------------------------------------------


def test_a_colleagues_newer_change_is_a_conflict_and_nothing_is_applied(
    assessment, officer, officer2
):
    data = export_workbook(assessment=assessment, language="en")
    assessment_save_answers(
        assessment=assessment,
        answers={"C1": AnswerInput(value=0, justification="changed online")},
        actor=officer2,
        base_revisions={"C1": 1},
    )
    before = state(assessment)
    wb = load(data)
    wb["Answers"]["E2"] = "Level 1"  # the workbook changes C1 too
    wb["Answers"]["E6"] = "Level 2"
    problems = problems_of(save(wb), officer)
    assert len(problems) == 1
    assert problems[0].startswith("Answers!B2: C1 was changed by officer2 since you opened it.")
    assert state(assessment) == before
    assert answer(assessment, "C1").justification == "changed online"


def test_a_colleagues_change_to_a_criterion_the_workbook_leaves_alone_is_kept(
    assessment, officer, officer2
):
    data = export_workbook(assessment=assessment, language="en")
    assessment_save_answers(
        assessment=assessment, answers={"C2": AnswerInput(value=0)}, actor=officer2
    )
    wb = load(data)
    wb["Answers"]["E6"] = "Level 2"
    assert import_workbook(data=save(wb), user=officer) == 1
    assert answer(assessment, "C2").value == 0 and answer(assessment, "C5").value == 2


def test_a_colleagues_new_answer_to_an_unanswered_criterion_is_a_conflict(
    assessment, officer, officer2
):
    data = export_workbook(assessment=assessment, language="en")
    assessment_save_answers(
        assessment=assessment, answers={"C5": AnswerInput(value=3)}, actor=officer2
    )
    wb = load(data)
    wb["Answers"]["E6"] = "Level 1"
    problems = problems_of(save(wb), officer)
    assert problems[0].startswith("Answers!B6: C5 was changed by officer2")
    assert answer(assessment, "C5").value == 3


# --- languages ----------------------------------------------------------------------------------


def test_arabic_workbook(assessment, officer):
    wb = exported(assessment, language="ar")
    ws = sheet_of(wb, "answers")
    headers = [c.value for c in ws[1]]
    assert {"المجال", "المعيار", "المستوى", "التبرير"} <= set(headers)
    assert ws.sheet_view.rightToLeft
    assert ws["C2"].value == "Criterion one (ar)"
    assert ws["E2"].value == "Level 3 (ar)" and ws["E3"].value == "Level 2 (ar)"
    assert [c.value for c in sheet_of(wb, "levels")["A"]][:4] == [
        f"Level {v} (ar)" for v in range(4)
    ]

    ws["E6"] = "Level 2 (ar)"
    ws["E5"] = "Level 0 (ar)"
    assert import_workbook(data=save(wb), user=officer) == 2
    assert answer(assessment, "C5").value == 2 and answer(assessment, "C4").value == 0


def test_labels_of_another_language_and_canonical_values_map_back(assessment, officer):
    wb = exported(assessment, language="ar")
    ws = sheet_of(wb, "answers")
    ws["E6"] = "Level 1 (fr)"
    ws["E5"] = "3"
    assert import_workbook(data=save(wb), user=officer) == 2
    assert answer(assessment, "C5").value == 1 and answer(assessment, "C4").value == 3


def test_french_workbook_levels(assessment, officer):
    wb = exported(assessment, language="fr")
    assert sheet_of(wb, "answers")["E2"].value == "Level 3 (fr)"
    assert sheet_of(wb, "answers")["E1"].value == "Niveau"
    sheet_of(wb, "answers")["E6"] = "Level 2 (fr)"
    assert import_workbook(data=save(wb), user=officer) == 1


def test_labels_shared_by_two_levels_in_other_languages_are_not_guessed(
    officer, institution, cycle
):
    doc = rubric_doc(slug="ambiguous")
    doc["scale"][0]["label"] = {"en": "No", "fr": "Non"}
    doc["scale"][1]["label"] = {"en": "Non", "fr": "Oui"}  # "Non" means 0 in fr, 1 in en
    version = import_doc(doc)
    assessment, _created = assessment_start(
        institution=institution, rubric_version=version, cycle=cycle
    )
    wb = exported(assessment, language="en")
    wb["Answers"]["E2"] = "Oui"  # only in French: level 1
    wb["Answers"]["E3"] = "Non"  # the workbook's language wins: level 1
    assert import_workbook(data=save(wb), user=officer) == 2
    assert answer(assessment, "C1").value == 1 and answer(assessment, "C2").value == 1


# --- commands -----------------------------------------------------------------------------------


def test_command_round_trip(assessment, officer, tmp_path):
    path = tmp_path / "home.xlsx"
    out = io.StringIO()
    call_command("export_workbook", str(assessment.pk), "-o", str(path), stdout=out)
    assert str(path) in out.getvalue()
    wb = load(path.read_bytes())
    wb["Answers"]["E6"] = "Level 2"
    protect(wb["Answers"]["F6"], RISKY)
    path.write_bytes(save(wb))

    out = io.StringIO()
    call_command("import_workbook", str(path), "--user", "officer", stdout=out)
    assert out.getvalue().strip() == "1 criterion updated"
    c5 = answer(assessment, "C5")
    assert (c5.value, c5.justification, c5.updated_by) == (Decimal(2), RISKY, officer)
    assert AuditEvent.objects.filter(source="workbook", criterion_code="C5").count() == 2


def test_export_command_blank_and_language(assessment, tmp_path):
    path = tmp_path / "blank.xlsx"
    call_command(
        "export_workbook",
        str(assessment.pk),
        "-o",
        str(path),
        "--blank",
        "--lang",
        "ar",
        stdout=io.StringIO(),
    )
    wb = load(path.read_bytes())
    # Sheet names are in the workbook's language; the identity records them for reading.
    assert read_identity(wb).sheet("answers") == "الإجابات"
    ws = wb["الإجابات"]
    assert ws["E1"].value == "المستوى" and ws["E2"].value is None
    with pytest.raises(CommandError, match="no assessment 999"):
        call_command("export_workbook", "999", "-o", str(path))


def test_import_command_prints_every_problem_and_fails(assessment, officer, tmp_path):
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 9"
    wb["Answers"]["E3"] = "Not applicable"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(save(wb))
    err = io.StringIO()
    before = state(assessment)
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_workbook", str(path), "--user", "officer", stderr=err)
    assert f'{path}: Answers!E6: "Level 9" is not a level of this rubric.' in err.getvalue()
    assert "Answers!E3: N/A is not allowed for criterion C2." in err.getvalue()
    assert state(assessment) == before


def test_import_command_checks_the_users_rights(assessment, dean, tmp_path):
    path = tmp_path / "wb.xlsx"
    path.write_bytes(export_workbook(assessment=assessment, language="en"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--user", "dean", stderr=err)
    assert "Only a quality officer" in err.getvalue()
    with pytest.raises(CommandError, match="no active user nobody"):
        call_command("import_workbook", str(path), "--user", "nobody")
    macro = tmp_path / "wb.xlsm"
    macro.write_bytes(b"")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("import_workbook", str(macro), "--user", "dean")


# --- pages --------------------------------------------------------------------------------------


def download_url(assessment, blank=False):
    url = reverse("reports:workbook", args=[assessment.pk])
    return url + "?blank=1" if blank else url


def upload_url(assessment):
    return reverse("reports:workbook_upload", args=[assessment.pk])


def upload(client, assessment, data: bytes, name="filled.xlsx"):
    return client.post(
        upload_url(assessment), {"file": SimpleUploadedFile(name, data, content_type=XLSX)}
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer", 200), ("dean", 200), ("reviewer", 200), ("admin_user", 200), ("outsider", 404)],
)
def test_download_permissions(client, assessment, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(download_url(assessment))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == (
            'attachment; filename="HOME-test-rubric-1-2026.xlsx"'
        )
        assert load(response.content)["Answers"]["E2"].value == "Level 3"


def test_download_blank_and_in_the_interface_language(client, assessment, dean):
    client.force_login(dean)
    response = client.get(download_url(assessment, blank=True), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert "blank" in response["Content-Disposition"]
    wb = load(response.content)
    ws = wb[read_identity(wb).sheet("answers")]
    assert ws.title == "الإجابات" and ws["E2"].value is None
    client.cookies["django_language"] = "ar"
    wb = load(client.get(download_url(assessment)).content)
    ws = wb[read_identity(wb).sheet("answers")]
    assert ws["E1"].value == "المستوى" and ws["E2"].value == "Level 3 (ar)"


def test_anonymous_is_sent_to_login(client, assessment):
    for url in (download_url(assessment), upload_url(assessment)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dean", 403), ("reviewer", 403), ("admin_user", 403), ("outsider", 404)],
)
def test_upload_page_permissions(client, assessment, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(upload_url(assessment)).status_code == status
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 2"
    assert upload(client, assessment, save(wb)).status_code == status
    assert answer(assessment, "C5") is None


def test_upload_page_refuses_a_submitted_assessment(client, assessment, officer):
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=1)})
    assessment_submit(assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    client.force_login(officer)
    assert client.get(upload_url(assessment)).status_code == 403


def test_upload_page_applies_and_redirects_to_the_review_step(client, assessment, officer):
    client.force_login(officer)
    page = client.get(upload_url(assessment))
    assert page.status_code == 200
    html = page.content.decode()
    assert download_url(assessment) in html and download_url(assessment, blank=True) in html
    assert 'enctype="multipart/form-data"' in html

    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 2"
    protect(wb["Answers"]["F6"], RISKY)
    response = upload(client, assessment, save(wb))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:fill_step", args=[assessment.pk, "review"])
    assert answer(assessment, "C5").justification == RISKY
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Workbook imported: 1 criterion updated."]


def test_upload_page_lists_every_problem_and_applies_nothing(client, assessment, officer):
    client.force_login(officer)
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 9"
    wb["Answers"]["E3"] = "Not applicable"
    wb["Answers"]["F2"] = "changed"
    before = state(assessment)
    response = upload(client, assessment, save(wb))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problems found: nothing was changed" in html
    assert '<bdi dir="ltr" class="code">Answers!E6</bdi> &quot;Level 9&quot; is not a level' in html
    assert '<bdi dir="ltr" class="code">Answers!E3</bdi> N/A is not allowed' in html
    assert state(assessment) == before


def test_upload_page_refuses_a_workbook_of_another_assessment(
    client, assessment, officer, institution, rubric_version
):
    other, _created = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=CycleFactory(name="2027")
    )
    wb = exported(other)
    wb["Answers"]["E6"] = "Level 2"
    client.force_login(officer)
    response = upload(client, assessment, save(wb))
    assert response.status_code == 200
    assert f"this workbook is for assessment {other.pk}" in response.content.decode()
    assert answer(assessment, "C5") is None and answer(other, "C5") is None


def test_upload_form_checks_name_and_size(client, assessment, officer, settings):
    client.force_login(officer)
    data = export_workbook(assessment=assessment, language="en")
    response = upload(client, assessment, data, name="filled.xlsm")
    assert response.status_code == 200
    assert "only Excel workbooks (.xlsx) are accepted" in response.content.decode()
    settings.WORKBOOK_MAX_BYTES = 1024
    response = upload(client, assessment, data)
    assert "is larger than the limit of 1.0\xa0KB" in response.content.decode()


def test_upload_page_in_arabic_is_right_to_left(client, assessment, officer):
    client.force_login(officer)
    client.cookies["django_language"] = "ar"
    html = client.get(upload_url(assessment)).content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_read_workbook_returns_only_the_changed_answers(assessment, officer):
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 2"
    checked = read_workbook(data=save(wb), user=officer, max_bytes=5 * 1024 * 1024)
    assert checked.assessment == assessment
    assert checked.answers == {"C5": AnswerInput(value=Decimal(2), justification="", links="")}
    assert checked.base_revisions == {"C5": 0}
    assert checked.language == "en" and checked.prefilled


def test_problems_carry_their_cell_apart_from_the_message(assessment, officer):
    wb = exported(assessment)
    wb["Answers"]["E6"] = "Level 9"
    wb["Answers"]["E3"] = "Not applicable"
    wb["Answers"]["B4"] = "C9"
    problems = problems_of(save(wb), officer)
    # Cell by cell in reading order, each split into where and what without parsing.
    assert [p.where for p in problems] == ["Answers!E3", "Answers!B4", "Answers!E6"]
    assert problems[0].what == "N/A is not allowed for criterion C2."
    assert problems[2] == 'Answers!E6: "Level 9" is not a level of this rubric.'
