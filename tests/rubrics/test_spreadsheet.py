"""Rubric workbooks: a rubric written as a spreadsheet imports back to the same rubric,
every problem is located by sheet and cell, hostile files are refused, the template."""

from __future__ import annotations

import copy
import io
import zipfile
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from rubrics.document import RubricFileError, content_hash, read_rubric, validate
from rubrics.models import RubricVersion
from rubrics.services import rubric_import
from rubrics.spreadsheet import read_rubric_workbook, rubric_workbook, template_workbook
from rubrics.spreadsheet.layout import ROWS_MAX

from ..factories import import_doc, rubric_doc

pytestmark = pytest.mark.django_db

LIBRARY = Path(__file__).resolve().parents[2] / "rubrics" / "library"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = [
    "Instructions",
    "Rubric settings",
    "Scale",
    "Bands",
    "Domains",
    "Criteria",
    "Descriptors",
    "Recommendations",
]


def every_option() -> dict:
    """A rubric with every optional key, texts in four languages, formula-like texts."""
    four = {"en": "=1+1 looks like a formula", "fr": "-moins", "ar": "@عربي", "zh-hans": "+中文"}
    return {
        "slug": "every-option",
        "version": "2.0",
        "title": {"en": "Every option", "fr": "Toutes", "ar": "كل الخيارات", "zh-hans": "全部"},
        "description": four,
        "level": "programme",
        "aggregate": "criteria",
        "consensus": "median",
        "normalise": "range",
        # overall: none is carried by its own test: it refuses bands, pass and gates.
        "plan_target": "top",
        "scale": [
            {
                "value": 0,
                "label": four,
                "description": "Nothing yet.\nSecond line. ",
                "effort": {"en": "a week", "fr": "une semaine"},
                "effort_hours": 37.5,
            },
            {"value": 1.5, "label": "Half", "effort_hours": 4},
            {"value": 3, "label": "Done"},
        ],
        "bands": [
            {"min_points": 0, "label": "Low", "description": four},
            {"min_points": 6.5, "label": "High", "requires_pass": True},
        ],
        "pass": {"min_points": 5, "critical_min_value": 1.5},
        "domains": [
            {
                "code": "D.1",
                "title": four,
                "description": {"en": "About D.1"},
                "weight": 2.25,
                "min_points": 1,
                "criteria": [
                    {
                        "code": "C-1",
                        "text": four,
                        "guidance": four,
                        "weight": 0.5,
                        "critical": True,
                        "evidence_required": True,
                        "descriptors": {0: four, 1.5: "half", 3: "all"},
                        "recommendations": {0: "Start", 1.5: {"en": "Go on", "ar": "تابع"}},
                    },
                    {"code": "C_2", "text": "Two", "allow_na": True},
                ],
            },
            {
                "code": "D2",
                "title": "Second",
                "min_score": 40,
                "criteria": [{"code": "007", "text": "Numeric-looking code"}],
            },
        ],
    }


def yaml_bytes(doc: dict) -> bytes:
    import yaml

    return yaml.safe_dump(doc, allow_unicode=True).encode()


def normalised(doc: dict) -> dict:
    return validate(copy.deepcopy(doc))


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def edited(change, doc: dict | None = None) -> bytes:
    wb = open_book(rubric_workbook(normalised(doc or rubric_doc()), language="en"))
    change(wb)
    return save(wb)


def problems_of(data: bytes, name: str = "r.xlsx") -> list[str]:
    with pytest.raises(RubricFileError) as caught:
        read_rubric_workbook(data, name)
    return [str(p) for p in caught.value.problems]


def column_of(ws, header: str) -> int:
    return next(cell.column for cell in ws[1] if cell.value == header)


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["obtl-institution.yaml", "obtl-course-review.yaml"])
def test_shipped_rubrics_come_back_identical(name):
    doc = read_rubric((LIBRARY / name).read_bytes(), name)
    back = read_rubric_workbook(rubric_workbook(doc, language="en"), "r.xlsx")
    assert back == doc
    assert content_hash(back) == content_hash(doc)


def test_every_optional_key_comes_back_identical():
    doc = normalised(every_option())
    # The keys that only a non-default value writes are all there to be carried.
    for key in ("level", "consensus", "normalise", "plan_target", "pass"):
        assert key in doc
    assert doc["domains"][0]["min_points"] == 1 and doc["domains"][1]["min_score"] == 40
    assert doc["domains"][0]["criteria"][0]["evidence_required"] is True
    assert doc["scale"][0]["effort_hours"] == 37.5 and doc["scale"][0]["effort"]["fr"]
    data = rubric_workbook(doc, language="en")
    back = read_rubric_workbook(data, "r.xlsx")
    assert back == doc
    assert content_hash(back) == content_hash(doc)


def test_a_profile_rubric_comes_back_identical():
    profile = every_option()
    for key in ("bands", "pass"):
        del profile[key]
    del profile["domains"][0]["min_points"], profile["domains"][1]["min_score"]
    doc = normalised({**profile, "overall": "none"})
    assert doc["overall"] == "none"
    back = read_rubric_workbook(rubric_workbook(doc, language="en"), "r.xlsx")
    assert back == doc and content_hash(back) == content_hash(doc)


def test_formula_like_texts_are_written_as_text():
    wb = open_book(rubric_workbook(normalised(every_option()), language="en"))
    ws = wb["Criteria"]
    cell = ws.cell(row=2, column=column_of(ws, "text_en"))
    assert cell.value == "=1+1 looks like a formula"
    assert cell.data_type == "s" and cell.quotePrefix
    settings = {row[0].value: row[1] for row in wb["Rubric settings"].iter_rows(min_row=2)}
    assert settings["description_fr"].value == "-moins" and settings["description_fr"].quotePrefix
    assert settings["level"].value == "programme"
    assert settings["pass_min_points"].value == 5


def test_export_then_import_commands_leave_the_version_unchanged(tmp_path):
    call_command("import_rubric", str(LIBRARY / "obtl-course-review.yaml"), stdout=StringIO())
    version = RubricVersion.objects.get()
    target = tmp_path / "course.xlsx"
    out = StringIO()
    call_command(
        "export_rubric", "obtl-course-review", "--version", "1.2", "-o", str(target), stdout=out
    )
    assert "written to" in out.getvalue()
    wb = open_book(target.read_bytes())
    assert wb.sheetnames == SHEETS
    out = StringIO()
    call_command("import_rubric", str(target), stdout=out)
    assert "course.xlsx: obtl-course-review 1.2 unchanged" in out.getvalue()
    assert RubricVersion.objects.get().content_hash == version.content_hash


def test_an_edited_workbook_imports_as_a_new_version(tmp_path):
    def change(wb):
        settings = wb["Rubric settings"]
        settings["B3"] = "2"  # version
        criteria = wb["Criteria"]
        criteria.cell(row=2, column=column_of(criteria, "weight")).value = 4

    (outcome,) = rubric_import(files=[("edited.xlsx", edited(change))])
    assert (outcome.version, outcome.action) == ("2", "created")
    assert outcome.rubric_version.criteria.get(code="C1").weight == 4


def test_a_text_a_spreadsheet_cannot_hold_is_refused_on_export(tmp_path):
    doc = normalised(rubric_doc())
    doc["domains"][0]["criteria"][0]["text"]["en"] = "bell\x07"
    doc["domains"][0]["criteria"][1]["text"]["en"] = "x" * 40_000
    with pytest.raises(RubricFileError) as caught:
        rubric_workbook(doc, language="en", source="r.xlsx")
    assert caught.value.problems == [
        "r.xlsx: Criteria!C2: holds control characters or carriage returns, which a "
        "spreadsheet cannot keep",
        "r.xlsx: Criteria!C3: is longer than a spreadsheet cell holds (32767 characters)",
    ]


# --- located problems ------------------------------------------------------------------------


def test_a_descriptor_for_a_level_not_in_the_scale_is_located():
    def change(wb):
        ws = wb["Descriptors"]
        ws["B3"] = 7

    assert problems_of(edited(change)) == [
        "r.xlsx: Descriptors!B3: is not a level value of the scale"
    ]


def test_the_validation_messages_are_translated():
    def change(wb):
        wb["Descriptors"]["B3"] = 7

    with translation.override("fr"):
        assert problems_of(edited(change)) == [
            "r.xlsx: Descriptors!B3: n'est pas une valeur de niveau de l'échelle"
        ]


def test_an_unknown_domain_code_in_criteria_is_located():
    def change(wb):
        wb["Criteria"]["A4"] = "ZZ"

    assert problems_of(edited(change)) == [
        'r.xlsx: Criteria!A4: "ZZ" is not a domain code of the Domains sheet.'
    ]


def test_duplicate_codes_are_located_with_the_first():
    def change(wb):
        wb["Criteria"]["B5"] = "C1"
        wb["Domains"]["A4"] = "D1"
        wb["Domains"]["B4"] = "Domain one again"

    assert problems_of(edited(change)) == [
        "r.xlsx: Domains!A4: duplicate domain code D1 (first in row 2).",
        "r.xlsx: Criteria!B5: duplicate criterion code C1 (first in row 2).",
    ]


def test_a_missing_required_column_and_an_unknown_one_are_named():
    def change(wb):
        ws = wb["Criteria"]
        ws.cell(row=1, column=column_of(ws, "text_en")).value = None
        ws.cell(row=1, column=column_of(ws, "weight")).value = "wieght"

    assert problems_of(edited(change)) == [
        "r.xlsx: Criteria: the column text_en is missing from the header row (row 1).",
        'r.xlsx: Criteria!K1: "wieght" is not a column of this sheet.',
    ]


def test_a_formula_cell_is_refused():
    def change(wb):
        ws = wb["Criteria"]
        ws.cell(row=3, column=column_of(ws, "weight")).value = "=1+1"

    assert problems_of(edited(change)) == [
        "r.xlsx: Criteria!K3: this cell holds a formula; type the value itself "
        "(formulas are not read)."
    ]


def test_true_and_false_as_libreoffice_saves_them_are_read_but_no_other_formula():
    # LibreOffice writes a typed TRUE as the formula =TRUE() (checked with soffice 7).
    def change(wb):
        criteria = wb["Criteria"]
        criteria.cell(row=2, column=column_of(criteria, "critical")).value = "=TRUE()"
        criteria.cell(row=3, column=column_of(criteria, "critical")).value = "=FALSE()"

    (outcome,) = rubric_import(files=[("lo.xlsx", edited(change))])
    criteria = outcome.rubric_version.criteria
    assert criteria.get(code="C1").critical and not criteria.get(code="C2").critical

    def other_formula(wb):
        criteria = wb["Criteria"]
        criteria.cell(row=2, column=column_of(criteria, "critical")).value = "=1=1"

    assert problems_of(edited(other_formula)) == [
        "r.xlsx: Criteria!L2: this cell holds a formula; type the value itself "
        "(formulas are not read)."
    ]


def test_schema_and_rule_problems_point_at_their_cells():
    def change(wb):
        criteria = wb["Criteria"]
        criteria.cell(row=3, column=column_of(criteria, "weight")).value = 0
        criteria.cell(row=6, column=column_of(criteria, "text_en")).value = None
        criteria.cell(row=6, column=column_of(criteria, "text_fr")).value = "Seulement"
        wb["Rubric settings"]["B2"] = "Not A Slug"
        wb["Scale"]["A3"] = "one"

    assert problems_of(edited(change)) == [
        "r.xlsx: Scale!A3: not a number (write it like 2 or 2.5)",
    ]
    wb = open_book(edited(change))
    wb["Scale"]["A3"] = 1
    assert problems_of(save(wb)) == [
        "r.xlsx: Criteria!K3: must be greater than 0",
        "r.xlsx: Criteria!C6: is required",
        "r.xlsx: Rubric settings!B2: must be lowercase letters and digits, separated by "
        "single hyphens",
    ]


def test_rubric_rules_point_at_their_cells():
    def change(wb):
        criteria = wb["Criteria"]
        criteria.cell(row=4, column=column_of(criteria, "critical")).value = True
        wb["Bands"]["A3"] = 90  # after 80 on the next row

    assert problems_of(edited(change)) == [
        "r.xlsx: Bands!A4: band thresholds must increase strictly",
        "r.xlsx: Criteria!M4: a critical criterion cannot allow N/A",
    ]


def test_a_missing_setting_and_a_missing_sheet_are_named():
    def no_slug(wb):
        wb["Rubric settings"]["B2"] = None

    assert problems_of(edited(no_slug)) == ["r.xlsx: Rubric settings!B2: is required"]

    def no_domains(wb):
        del wb["Domains"]

    assert problems_of(edited(no_domains)) == ["r.xlsx: Domains: this sheet is missing."]


def test_cell_values_of_the_wrong_kind_are_located():
    def change(wb):
        criteria = wb["Criteria"]
        criteria.cell(row=2, column=column_of(criteria, "critical")).value = "maybe"
        criteria.cell(row=3, column=column_of(criteria, "weight")).value = "1e999999999"
        wb["Descriptors"]["A2"] = "C9"
        wb["Rubric settings"]["A30"] = "colour"
        wb["Rubric settings"]["B30"] = "blue"

    assert problems_of(edited(change)) == [
        'r.xlsx: Rubric settings!A30: "colour" is not a rubric setting; the keys are in '
        "column A of a new template.",
        "r.xlsx: Criteria!L2: must be TRUE or FALSE",
        "r.xlsx: Criteria!K3: not a number (write it like 2 or 2.5)",
        'r.xlsx: Descriptors!A2: "C9" is not a criterion code of the Criteria sheet.',
    ]


# --- hostile files ---------------------------------------------------------------------------


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def plain() -> bytes:
    return rubric_workbook(normalised(rubric_doc()), language="en")


def test_a_workbook_with_macros_is_refused():
    members = members_of(plain())
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really"
    assert problems_of(zip_of(members)) == [
        "r.xlsx: Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."
    ]


def test_a_zip_bomb_is_refused_unopened():
    members = members_of(plain())
    members["xl/worksheets/sheet9.xml"] = b"\0" * (60 * 1024 * 1024)
    (problem,) = problems_of(zip_of(members))
    assert problem.startswith("r.xlsx: The file unpacks to") and "refused unopened" in problem


def test_a_file_that_is_not_a_workbook_is_refused():
    assert problems_of(b"slug: not-a-workbook\n") == [
        "r.xlsx: The file is not an Excel workbook (.xlsx)."
    ]


def test_too_many_rows_and_an_overlong_text_are_refused():
    def change(wb):
        ws = wb["Recommendations"]
        for row in range(5, ROWS_MAX + 3):
            ws.cell(row=row, column=1).value = "C1"
            ws.cell(row=row, column=2).value = row % 3
        wb["Rubric settings"]["B2"] = "s" * 300

    assert problems_of(edited(change)) == [
        "r.xlsx: Rubric settings!B2: is longer than 200 characters (300)",
        f"r.xlsx: Recommendations: this sheet has more than {ROWS_MAX} rows.",
    ]


def test_many_problems_are_capped():
    def change(wb):
        ws = wb["Descriptors"]
        for row in range(6, 400):
            ws.cell(row=row, column=1).value = "C9"

    problems = problems_of(edited(change))
    assert len(problems) == 201
    assert problems[-1] == "r.xlsx: … and 194 more problems."


# --- pages -----------------------------------------------------------------------------------


def test_the_template_has_every_sheet_instructions_and_an_example_that_imports(client, outsider):
    client.force_login(outsider)  # any signed-in person may see the library, so the template
    library = client.get(reverse("rubrics:library")).content.decode()
    assert reverse("rubrics:template") in library
    response = client.get(reverse("rubrics:template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="rubric-template.xlsx"' in response["Content-Disposition"]
    wb = open_book(response.content)
    assert wb.sheetnames == SHEETS
    assert wb["Instructions"]["A1"].value == "Authoring a rubric in this workbook"
    assert [c.value for c in wb["Criteria"][1]][:4] == ["domain", "code", "text_en", "text_fr"]
    assert [c.value for c in wb["Criteria"][2]][:3] == [
        "D1",
        "D1.1",
        "Learning outcomes are stated and measurable.",
    ]
    (outcome,) = rubric_import(files=[("template.xlsx", response.content)])
    assert (outcome.slug, outcome.version, outcome.action) == ("my-rubric", "1.0", "created")


def test_the_template_is_refused_to_signed_out_visitors(client):
    response = client.get(reverse("rubrics:template"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_arabic_template_reads_right_to_left():
    wb = open_book(template_workbook(language="ar"))
    assert wb["Instructions"].sheet_view.rightToLeft


def test_a_version_downloads_as_a_workbook(client, outsider, rubric_version):
    url = reverse("rubrics:workbook", args=[rubric_version.rubric.slug, rubric_version.version])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    page = client.get(
        reverse("rubrics:version", args=[rubric_version.rubric.slug, rubric_version.version])
    )
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert read_rubric_workbook(response.content, "v.xlsx") == rubric_version.content
    missing = reverse("rubrics:workbook", args=[rubric_version.rubric.slug, "9"])
    assert client.get(missing).status_code == 404


def test_administrators_upload_a_workbook(client, admin_user, officer):
    data = rubric_workbook(normalised(rubric_doc(slug="from-sheet")), language="en")
    client.force_login(officer)
    upload = SimpleUploadedFile("r.xlsx", data, content_type=XLSX)
    assert client.post(reverse("rubrics:import"), {"files": [upload]}).status_code == 403
    client.force_login(admin_user)
    upload = SimpleUploadedFile("r.xlsx", data, content_type=XLSX)
    response = client.post(reverse("rubrics:import"), {"files": [upload]}, follow=True)
    assert "from-sheet 1: imported." in response.content.decode()
    assert RubricVersion.objects.filter(rubric__slug="from-sheet").exists()


def test_a_refused_upload_lists_cells_and_imports_nothing(client, admin_user):
    import_doc()
    before = list(RubricVersion.objects.values_list("pk", "content_hash"))

    def change(wb):
        wb["Criteria"]["A4"] = "ZZ"

    client.force_login(admin_user)
    bad = SimpleUploadedFile("bad.xlsx", edited(change), content_type=XLSX)
    good = SimpleUploadedFile("good.yaml", yaml_bytes(rubric_doc(slug="other")))
    response = client.post(reverse("rubrics:import"), {"files": [bad, good]})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "bad.xlsx: Criteria!A4: &quot;ZZ&quot; is not a domain code of the Domains sheet." in page
    )
    assert list(RubricVersion.objects.values_list("pk", "content_hash")) == before


def test_the_command_refuses_a_workbook_with_every_problem(tmp_path):
    def change(wb):
        wb["Criteria"]["A4"] = "ZZ"
        wb["Criteria"]["B5"] = "C1"

    path = tmp_path / "bad.xlsx"
    path.write_bytes(edited(change))
    err = StringIO()
    with pytest.raises(CommandError, match="2 problems found; nothing was imported"):
        call_command("import_rubric", str(path), stderr=err)
    assert 'bad.xlsx: Criteria!A4: "ZZ" is not a domain code' in err.getvalue()
    assert not RubricVersion.objects.exists()
