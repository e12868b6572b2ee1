"""Hostile workbook uploads: damaged parts, unknown attributes and oversized parts are one
clear refusal (never a server error), measured before openpyxl reads them whole."""

from __future__ import annotations

import io
import time
import zipfile
from random import Random

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.workbook import WorkbookError, export_workbook, import_workbook
from reports.workbook.container import ROW_CELLS_MAX, SHARED_STRINGS_MAX, SHEET_ROWS_MAX

from .test_workbook import XLSX, members_of, state, zip_of

DAMAGED = "Answers: this sheet could not be read; the file is damaged."


def answers_part(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return wb["Answers"]._worksheet_path
    finally:
        wb.close()


def refused(data: bytes, user) -> list[str]:
    started = time.perf_counter()
    with pytest.raises(WorkbookError) as caught:
        import_workbook(data=data, user=user)
    assert time.perf_counter() - started < 2
    return [str(p) for p in caught.value.problems]


def with_answers(assessment, change) -> bytes:
    data = export_workbook(assessment=assessment, language="en")
    members = members_of(data)
    part = answers_part(data)
    members[part] = change(members[part])
    return zip_of(members)


def cut_after_row(xml: bytes, marker: bytes = b"</sheetData>") -> tuple[bytes, bytes]:
    head, tail = xml.split(marker, 1)
    return head, marker + tail


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda xml: xml.replace(b"</sheetData>", b"<row><c><v>1</sheetData>"), id="xml"
        ),
        pytest.param(lambda xml: xml.replace(b'<c r="C2"', b'<c r="C2" s="999999"', 1), id="style"),
        pytest.param(lambda xml: xml.replace(b'<c r="C2"', b'<c r="!!"', 1), id="reference"),
        pytest.param(lambda xml: xml.replace(b"<row ", b'<row r="x" ', 1), id="row-number"),
        pytest.param(
            lambda xml: xml.replace(
                b"</sheetData>", b'<row r="900"><c r="C900" t="n"><v>zz</v></c></row></sheetData>'
            ),
            id="number",
        ),
        pytest.param(
            lambda xml: xml.replace(
                b"</sheetData>",
                b'<row r="900"><c r="C900" t="s"><v>99999</v></c></row></sheetData>',
            ),
            id="shared-index",
        ),
        pytest.param(lambda xml: xml[: len(xml) // 2], id="truncated"),
    ],
)
def test_malformed_sheet_xml_is_a_refusal(assessment, officer, change):
    before = state(assessment)
    problems = refused(with_answers(assessment, change), officer)
    assert problems == [DAMAGED] or problems == ["The file could not be read as an Excel workbook."]
    assert state(assessment) == before


def _stored_with_bad_crc(data: bytes, part: str) -> bytes:
    members = members_of(data)
    out = bytearray(zip_of(members, compression=zipfile.ZIP_STORED))
    # Change one byte of the sheet's text inside the zip; its CRC no longer matches.
    start = bytes(out).index(b"<sheetData>")
    assert part and start > 0
    out[start + 1] = ord("S")
    return bytes(out)


def test_a_bad_crc_is_a_refusal(assessment, officer):
    data = export_workbook(assessment=assessment, language="en")
    assert refused(_stored_with_bad_crc(data, answers_part(data)), officer) in (
        [DAMAGED],
        ["The file could not be read as an Excel workbook."],
    )


def test_corrupt_deflate_data_is_a_refusal(assessment, officer):
    data = export_workbook(assessment=assessment, language="en")
    part = answers_part(data)
    members = members_of(data)
    # Lay the Answers sheet last, so that its compressed bytes can be spoiled alone.
    content = members.pop(part)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, member in members.items():
            archive.writestr(name, member)
        offset = buffer.tell()
        archive.writestr(part, content)
    spoiled = bytearray(buffer.getvalue())
    middle = offset + 30 + len(part) + 40
    spoiled[middle : middle + 16] = b"\xff" * 16
    assert refused(bytes(spoiled), officer) in (
        [DAMAGED],
        ["The file could not be read as an Excel workbook."],
    )


def test_a_wide_row_is_refused_before_it_is_read(assessment, officer):
    # Varied values, so that the zip's compression ratio check does not catch it first.
    random = Random(1)
    cells = b"".join(
        b'<c t="n"><v>%d</v></c>' % random.randrange(10**9) for _ in range(ROW_CELLS_MAX * 40)
    )
    data = with_answers(
        assessment,
        lambda xml: xml.replace(b"</sheetData>", b'<row r="900">' + cells + b"</row></sheetData>"),
    )
    problems = refused(data, officer)
    assert len(problems) == 1 and problems[0].startswith("Answers: row ")
    assert problems[0].endswith(f"has more than {ROW_CELLS_MAX} cells.")


def test_too_many_rows_are_refused_before_they_are_read(assessment, officer):
    rows = b"".join(b"<row/>" for _ in range(SHEET_ROWS_MAX + 1))
    data = with_answers(
        assessment, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")
    )
    assert refused(data, officer) == [f"Answers: this sheet has more than {SHEET_ROWS_MAX} rows."]


STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_strings(assessment, count: int, declared: int | None = None, part="xl/strings.xml"):
    """The exported workbook with a shared strings part (the export writes inline texts),
    under any name: openpyxl finds it through [Content_Types].xml."""
    members = members_of(export_workbook(assessment=assessment, language="en"))
    items = b"".join(b"<si><t>x%d</t></si>" % i for i in range(count))
    unique = b' uniqueCount="%d"' % declared if declared is not None else b""
    members[part] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        + unique
        + b">"
        + items
        + b"</sst>"
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/{part}" ContentType="{STRINGS_TYPE}"/></Types>'.encode(),
    )
    return zip_of(members)


TOO_MANY = (
    f"The workbook holds more than {SHARED_STRINGS_MAX} different texts; it is refused unread."
)


def test_too_many_shared_strings_are_refused_before_openpyxl_loads_them(assessment, officer):
    assert refused(with_strings(assessment, SHARED_STRINGS_MAX + 1), officer) == [TOO_MANY]


def test_a_declared_count_beyond_the_cap_is_refused(assessment, officer):
    data = with_strings(assessment, 3, declared=1_900_000, part="xl/sharedStrings.xml")
    assert refused(data, officer) == [TOO_MANY]


def test_a_few_shared_strings_are_read(assessment, officer):
    # An unused strings part under an unusual name: still a valid workbook, nothing changes.
    assert import_workbook(data=with_strings(assessment, 10), user=officer) == 0


def test_a_superscript_digit_in_the_identity_is_not_a_crash(assessment, officer):
    data = export_workbook(assessment=assessment, language="en")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb["Identity"]
    for row in sheet.iter_rows():
        if row[0].value == "assessment":
            row[1].value = "²"
    buffer = io.BytesIO()
    wb.save(buffer)
    problems = refused(buffer.getvalue(), officer)
    assert any("the assessment number is missing or changed" in p for p in problems)


def test_the_upload_page_shows_the_refusal_not_a_server_error(client, assessment, officer):
    client.force_login(officer)
    before = state(assessment)
    data = with_answers(
        assessment, lambda xml: xml.replace(b"</sheetData>", b"<row><c><v>1</sheetData>")
    )
    response = client.post(
        reverse("reports:workbook_upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("filled.xlsx", data, content_type=XLSX)},
    )
    assert response.status_code == 200
    assert "this sheet could not be read; the file is damaged." in response.content.decode()
    assert state(assessment) == before


def test_corrupt_deflate_data_in_the_content_types_is_a_refusal(assessment, officer):
    members = members_of(export_workbook(assessment=assessment, language="en"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", members.pop("[Content_Types].xml") * 3)
        for name, member in members.items():
            archive.writestr(name, member)
    spoiled = bytearray(buffer.getvalue())
    start = 30 + len("[Content_Types].xml")
    spoiled[start + 20 : start + 60] = b"\x00" * 40
    assert refused(bytes(spoiled), officer) == ["The file is not an Excel workbook (.xlsx)."]
