"""Evidence files: sniffed types, size limit, private storage, scoped downloads."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qa_tool.assessments.evidence import invalid_links, sniff
from qa_tool.assessments.models import AuditEvent, Evidence
from qa_tool.assessments.services import AssessmentError, evidence_add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def ooxml(kind="word", macro=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<doc/>")
        if macro:
            archive.writestr(f"{kind}/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * 5_000_000)
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("report.pdf", PDF, True),
        ("photo.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, True),
        ("plan.docx", ooxml("word"), True),
        ("data.xlsx", ooxml("xl"), True),
        ("notes.txt", "Évaluation — تقييم — 评估\n".encode(), True),
        ("macro.docm", ooxml("word", macro=True), False),
        ("macro.docx", ooxml("word", macro=True), False),
        ("fake.pdf", b"MZ\x90\x00 this is an exe", False),
        ("page.pdf", PNG, False),  # the name says PDF, the content is an image
        ("script.html", b"<script>alert(1)</script>", False),
        ("bomb.docx", zip_bomb(), False),
        ("empty.pdf", b"", False),
    ],
)
def test_types_are_sniffed_from_content(assessment, name, content, accepted):
    if accepted:
        evidence = evidence_add(
            assessment=assessment, criterion_code="C1", upload=upload(name, content)
        )
        assert evidence.original_name == name
    else:
        with pytest.raises(AssessmentError):
            evidence_add(assessment=assessment, criterion_code="C1", upload=upload(name, content))
        assert not Evidence.objects.exists()


def test_size_limit_has_a_clear_message(assessment, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(AssessmentError) as exc:
        evidence_add(
            assessment=assessment, criterion_code="C1", upload=upload("big.pdf", PDF + b"0" * 2000)
        )
    assert "big.pdf is larger than the limit of 1.0\xa0KB" in exc.value.problems[0]


def test_files_are_stored_privately_under_the_assessment(assessment):
    evidence = evidence_add(assessment=assessment, criterion_code="C1", upload=upload("r.pdf", PDF))
    path = Path(evidence.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence" / str(assessment.pk))
    assert path.name != "r.pdf"  # random stored name
    assert AuditEvent.objects.filter(action="evidence", new="r.pdf").exists()


def test_upload_through_the_wizard_and_download(client, officer, dean, reviewer, assessment):
    client.force_login(officer)
    response = client.post(
        reverse("assessments:fill_step", args=[assessment.pk, "D1"]),
        {
            "D1-C1-level": "3",
            "D1-C1-justification": "Strong <b>policy</b>",
            "D1-C1-revision": "1",
            "D1-C2-level": "2",
            "D1-C2-revision": "1",
            "D1-C3-level": "na",
            "D1-C3-revision": "1",
            "D1-C1-files": [upload("policy.pdf", PDF), upload("virus.exe", b"MZ\x90\x00")],
            "save_draft": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "C1: policy.pdf attached." in page
    assert "virus.exe is not an accepted file type" in page
    evidence = Evidence.objects.get()
    url = reverse("assessments:evidence", args=[assessment.pk, evidence.pk])
    assert url in page
    for persona in (officer, dean, reviewer):
        client.force_login(persona)
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment")


def test_outsider_cannot_download_evidence(client, outsider, assessment):
    evidence = evidence_add(assessment=assessment, criterion_code="C1", upload=upload("r.pdf", PDF))
    client.force_login(outsider)
    assert (
        client.get(reverse("assessments:evidence", args=[assessment.pk, evidence.pk])).status_code
        == 404
    )


def test_evidence_of_another_assessment_is_not_reachable_through_mine(
    client, outsider, assessment, other_institution, rubric_version, cycle
):
    from qa_tool.assessments.services import assessment_start

    evidence = evidence_add(assessment=assessment, criterion_code="C1", upload=upload("r.pdf", PDF))
    mine, _ = assessment_start(
        institution=other_institution, rubric_version=rubric_version, cycle=cycle
    )
    client.force_login(outsider)
    assert (
        client.get(reverse("assessments:evidence", args=[mine.pk, evidence.pk])).status_code == 404
    )


def test_remove_evidence(client, officer, assessment, django_capture_on_commit_callbacks):
    evidence = evidence_add(assessment=assessment, criterion_code="C1", upload=upload("r.pdf", PDF))
    path = Path(evidence.file.path)
    assert path.exists()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessments:fill_step", args=[assessment.pk, "D1"]),
            {"remove_evidence": evidence.pk},
        )
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.filter(action="evidence", old="r.pdf").exists()
    assert not path.exists()


def test_invalid_links_lists_the_bad_lines():
    assert invalid_links("https://a.org\n\nnot a url\nftp://b.org\nhttp://c.org/x?y=1") == [
        "not a url",
        "ftp://b.org",
    ]


def test_sniff_plain_text_cut_in_a_multibyte_character():
    content = ("é" * 5000).encode()
    assert sniff(io.BytesIO(content), len(content)).content_type == "text/plain"
