"""Oversized request bodies are refused before anything is read or written."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import RequestFactory
from django.urls import reverse

from qa_tool.accounts.uploads import RequestSizeLimitUploadHandler, is_too_large
from qa_tool.assessments.models import Evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELEVEN_MB = 11 * 1024 * 1024


@pytest.fixture
def received(monkeypatch):
    """Bytes that reached Django's own upload handlers (memory or temporary file)."""
    counts = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def spy(self, raw_data, start, original=original):
            counts.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", spy)
    return counts


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.QA_MAX_REQUEST_BYTES = 2 * 1024 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_oversized_evidence_upload_is_a_413(client, officer, assessment, small_limit, received):
    before = files_under(settings.MEDIA_ROOT)
    client.force_login(officer)
    response = client.post(
        reverse("assessments:fill_step", args=[assessment.pk, "D1"]),
        {
            "D1-C1-level": "3",
            "D1-C1-revision": "1",
            "D1-C1-files": [SimpleUploadedFile("big.pdf", PDF + b"0" * ELEVEN_MB)],
            "save_draft": "1",
        },
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Upload too large" in page
    assert "at most 2.0\xa0MB can be sent at once. Nothing was saved." in page
    assert sum(received) == 0
    assert files_under(small_limit) == []
    assert files_under(settings.MEDIA_ROOT) == before
    assert not Evidence.objects.exists()


def test_oversized_workbook_upload_is_a_413(client, officer, assessment, small_limit, received):
    client.force_login(officer)
    response = client.post(
        reverse("reports:workbook_upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("filled.xlsx", b"PK" + b"0" * ELEVEN_MB)},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    assert 'lang="fr"' in response.content.decode()
    assert sum(received) == 0
    assert files_under(small_limit) == []


def test_uploads_within_the_limit_still_arrive(client, officer, assessment, small_limit):
    client.force_login(officer)
    client.post(
        reverse("assessments:fill_step", args=[assessment.pk, "D1"]),
        {
            "D1-C1-level": "3",
            "D1-C1-revision": "1",
            "D1-C1-files": [SimpleUploadedFile("policy.pdf", PDF + b"0" * 100_000)],
            "save_draft": "1",
        },
    )
    assert Evidence.objects.get().original_name == "policy.pdf"


def test_handler_stops_the_parse_before_any_file_is_read(small_limit, received):
    request = RequestFactory().post(
        "/", {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * ELEVEN_MB), "note": "x"}
    )
    request.upload_handlers = [
        RequestSizeLimitUploadHandler(request),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
    assert not request.FILES and not request.POST
    assert is_too_large(request)
    assert sum(received) == 0


def test_default_limit_is_a_little_above_the_largest_upload():
    largest = max(
        settings.EVIDENCE_MAX_BYTES, settings.WORKBOOK_MAX_BYTES, settings.RUBRIC_UPLOAD_MAX_BYTES
    )
    assert largest < settings.QA_MAX_REQUEST_BYTES <= largest + 2 * 1024 * 1024
    assert (
        settings.FILE_UPLOAD_HANDLERS[0] == "qa_tool.accounts.uploads.RequestSizeLimitUploadHandler"
    )
