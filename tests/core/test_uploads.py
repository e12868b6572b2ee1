"""The one container checker, through both of its callers: evidence files and workbooks."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qa_tool.assessments.models import Evidence
from qa_tool.assessments.services import AssessmentError, evidence_add
from qa_tool.core import uploads
from qa_tool.core.uploads import ContainerRefused, Fault, inspect_ole, inspect_zip
from reports.workbook import WorkbookError, export_workbook, import_workbook

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA = "application/vnd.ms-office.vbaProject"
ODT = "application/vnd.oasis.opendocument.text"
MIB = 1024 * 1024


# --- building files -------------------------------------------------------------------------


def content_types(main: str, part: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/>{extra}</Types>'
    ).encode()


def docx(extra_types: str = "", extra_parts: dict[str, bytes] | None = None) -> bytes:
    members = {
        "[Content_Types].xml": content_types(DOCX_MAIN, "word/document.xml", extra_types),
        "word/document.xml": b"<w:document/>",
        **(extra_parts or {}),
    }
    return zip_of(members)


def odt(manifest_entries: str = "", extra_parts: dict[str, bytes] | None = None) -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        f"{manifest_entries}</manifest:manifest>"
    ).encode()
    members = {
        "mimetype": ODT.encode(),
        "content.xml": b"<office:document-content/>",
        "META-INF/manifest.xml": manifest,
        **(extra_parts or {}),
    }
    return zip_of(members)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zeros_deflated(compressed_bytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of zeros about ``compressed_bytes`` long, and its inflated size.

    After a full flush the compressor starts afresh, so one compressed MiB of zeros can be
    repeated: building a stream that inflates to gigabytes takes milliseconds.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = compressed_bytes // len(segment)
    return segment * count + compressor.flush(), count * MIB


def zip64_of(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members (name, data, inflated size, CRC), with Zip64 sizes."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in members:
        encoded = name.encode()
        sizes = struct.pack("<HHQQ", 1, 16, size, len(data))
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                45,
                0,
                8,
                0,
                0x21,
                crc,
                *[0xFFFFFFFF] * 2,
                len(encoded),
                len(sizes),
            )
        )
        out.write(encoded + sizes + data)
        directory.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                45,
                45,
                0,
                8,
                0,
                0x21,
                crc,
                *[0xFFFFFFFF] * 2,
                len(encoded),
                len(sizes),
                0,
                0,
                0,
                0,
                offset,
            )
        )
        directory.write(encoded + sizes)
    start, table = out.tell(), directory.getvalue()
    out.write(table)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(table), start, 0)
    )
    return out.getvalue()


def bomb(members: dict[str, bytes], bomb_name: str, compressed_bytes: int) -> tuple[bytes, int]:
    """``members`` plus one member of zeros that inflates about 1000 times its size.

    Its CRC is not computed (that would mean inflating it): a checker that reads it has
    already failed.
    """
    entries = []
    for name, content in members.items():
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = compressor.compress(content) + compressor.flush()
        entries.append((name, data, len(content), zlib.crc32(content)))
    zeros, size = zeros_deflated(compressed_bytes)
    entries.append((bomb_name, zeros, size, 0))
    return zip64_of(entries), size


def compound_file(*names: str) -> bytes:
    """A minimal legacy Office (OLE2) file whose directory holds ``names`` under the root."""
    header = bytearray(512)
    header[:8] = uploads.OLE_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x48, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *[0xFFFFFFFF] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *[0xFFFFFFFF] * 126)
    entries = b""
    for kind, name in ((5, "Root Entry"), *((1 if n != "WordDocument" else 2, n) for n in names)):
        encoded = (name + "\0").encode("utf-16-le")
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 0x40, len(encoded), kind)
        entries += bytes(entry)
    directory = entries.ljust(512, b"\0")
    return bytes(header) + fat + directory


def add_evidence(assessment, name: str, content: bytes):
    return evidence_add(
        assessment=assessment, criterion_code="C1", upload=SimpleUploadedFile(name, content)
    )


def refused_evidence(assessment, name: str, content: bytes) -> str:
    with pytest.raises(AssessmentError) as caught:
        add_evidence(assessment, name, content)
    assert not Evidence.objects.exists()
    return caught.value.problems[0]


def workbook_problems(data: bytes, user) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        import_workbook(data=data, user=user)
    return caught.value.problems


def workbook_members(assessment) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(export_workbook(assessment=assessment, language="en"))) as z:
        return {name: z.read(name) for name in z.namelist()}


# --- zip bombs ------------------------------------------------------------------------------


def test_the_bomb_builder_inflates_to_what_it_declares():
    data, size = zeros_deflated(3 * 1037)
    inflated = zlib.decompressobj(-15).decompress(data)
    assert len(inflated) == size == 3 * MIB and not inflated.strip(b"\0")


def test_an_evidence_zip_bomb_is_refused_quickly_without_inflating(assessment):
    data, size = bomb(
        {"[Content_Types].xml": content_types(DOCX_MAIN, "word/document.xml")},
        "word/document.xml",
        8 * MIB,
    )
    assert len(data) < 9 * MIB and size > 7 * 1024 * MIB  # 8 MB that inflate to 8 GB
    tracemalloc.start()
    started = time.perf_counter()
    message = refused_evidence(assessment, "bomb.docx", data)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "is not an accepted file type" in message
    assert elapsed < 2
    with pytest.raises(ContainerRefused) as caught:
        inspect_zip(io.BytesIO(data), size=len(data))
    assert caught.value.fault is Fault.TOO_BIG and caught.value.unpacked >= size
    assert peak < 64 * MIB  # the upload's own copy and a little more: nothing inflated


def test_a_workbook_zip_bomb_is_refused_quickly_without_inflating(assessment, officer):
    members = workbook_members(assessment)
    members.pop("xl/worksheets/sheet3.xml", None)
    data, size = bomb(members, "xl/worksheets/sheet3.xml", 4 * MIB)
    assert size > 3 * 1024 * MIB
    tracemalloc.start()
    started = time.perf_counter()
    problems = workbook_problems(data, officer)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(problems) == 1 and "it is refused unopened" in problems[0]
    assert elapsed < 2 and peak < 64 * MIB


def test_a_part_is_read_with_a_cap_whatever_the_directory_allows(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PART_BYTES", 1024)
    data = docx(extra_types="<!--" + " " * 4096 + "-->")
    with pytest.raises(ContainerRefused) as caught:
        inspect_zip(io.BytesIO(data), size=len(data))
    assert caught.value.fault is Fault.TOO_BIG


@pytest.mark.parametrize(
    ("members", "fault"),
    [
        ({f"word/part{i}.xml": b"<x/>" for i in range(uploads.MAX_MEMBERS + 1)}, Fault.UNSAFE),
        ({"../evil.xml": b"<x/>"}, Fault.UNSAFE),
        ({"/etc/evil.xml": b"<x/>"}, Fault.UNSAFE),
        ({"word\\..\\evil.xml": b"<x/>"}, Fault.UNSAFE),
    ],
)
def test_directory_limits(members, fault):
    data = zip_of({"[Content_Types].xml": content_types(DOCX_MAIN, "word/document.xml"), **members})
    with pytest.raises(ContainerRefused) as caught:
        inspect_zip(io.BytesIO(data), size=len(data))
    assert caught.value.fault is fault


def test_one_member_over_its_cap_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_MEMBER_BYTES", 1000)
    data = docx(extra_parts={"word/media/big.xml": b" " * 1001})
    with pytest.raises(ContainerRefused) as caught:
        inspect_zip(io.BytesIO(data), size=len(data))
    assert caught.value.fault is Fault.TOO_BIG


def test_an_encrypted_member_is_refused():
    data = bytearray(docx())
    # The "encrypted" bit of the first member's flags, in its local and directory headers.
    data[6] |= 1
    data[data.index(b"PK\x01\x02") + 8] |= 1
    with pytest.raises(ContainerRefused) as caught:
        inspect_zip(io.BytesIO(bytes(data)), size=len(data))
    assert caught.value.fault is Fault.UNSAFE


# --- macros ---------------------------------------------------------------------------------

RENAMED_VBA = f'<Override PartName="/word/anything.bin" ContentType="{VBA}"/>'
BASIC_ENTRY = (
    '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" '
    'manifest:media-type="text/xml"/>'
)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("renamed.docx", docx(RENAMED_VBA, {"word/anything.bin": b"\xd0\xcf\x11\xe0 vba"})),
        (
            "default.docx",
            docx(f'<Default Extension="bin" ContentType="{VBA}"/>', {"word/x.bin": b"vba"}),
        ),
        ("anywhere.docx", docx(extra_parts={"custom/vbaProject.bin": b"vba"})),
        ("basic.odt", odt(BASIC_ENTRY, {"Basic/Standard/Module1.xml": b"<script:module/>"})),
        ("unlisted.odt", odt(extra_parts={"Basic/script-lc.xml": b"<library/>"})),
        (
            "scripts.odt",
            odt(
                '<manifest:file-entry manifest:full-path="Scripts/python/x.py" '
                'manifest:media-type="application/binary"/>'
            ),
        ),
        ("macros.doc", compound_file("WordDocument", "Macros", "VBA")),
        ("macros.xls", compound_file("Workbook", "_VBA_PROJECT_CUR")),
    ],
)
def test_evidence_with_macros_is_refused_by_content_not_name(assessment, name, content):
    assert "is not an accepted file type" in refused_evidence(assessment, name, content)
    with pytest.raises(ContainerRefused) as caught:
        if content.startswith(uploads.OLE_MAGIC):
            inspect_ole(io.BytesIO(content))
        else:
            inspect_zip(io.BytesIO(content), size=len(content))
    assert caught.value.fault is Fault.MACROS


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("clean.docx", docx()),
        ("clean.odt", odt()),
        ("clean.doc", compound_file("WordDocument")),
    ],
)
def test_clean_documents_are_accepted(assessment, name, content):
    assert add_evidence(assessment, name, content).original_name == name


def test_a_clean_exported_workbook_is_accepted_as_evidence(assessment):
    data = export_workbook(assessment=assessment, language="en")
    assert add_evidence(assessment, "answers.xlsx", data).content_type.endswith(".sheet")


def test_a_broken_compound_file_is_refused():
    with pytest.raises(ContainerRefused) as caught:
        inspect_ole(io.BytesIO(uploads.OLE_MAGIC + b"\0" * 100))
    assert caught.value.fault is Fault.BROKEN


def test_a_workbook_with_a_renamed_vba_part_is_refused(assessment, officer):
    members = workbook_members(assessment)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/xl/anything.bin" ContentType="{VBA}"/></Types>'.encode()
    )
    members["xl/anything.bin"] = b"\xd0\xcf\x11\xe0 vba"
    assert workbook_problems(zip_of(members), officer) == [
        "Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."
    ]


def test_corrupt_compressed_content_types_in_evidence_is_a_refusal_not_a_crash(assessment):
    """zlib.error from a damaged part is one more way a document is broken."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types(DOCX_MAIN, "word/document.xml") * 3)
        archive.writestr("word/document.xml", b"<w:document/>")
    spoiled = bytearray(buffer.getvalue())
    start = 30 + len("[Content_Types].xml")
    spoiled[start + 20 : start + 60] = b"\x00" * 40
    message = refused_evidence(assessment, "report.docx", bytes(spoiled))
    assert message and not Evidence.objects.filter(assessment=assessment).exists()
