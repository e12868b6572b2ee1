"""Downloads of assessment data must not stay in browser or proxy caches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qa_tool.assessments.services import evidence_add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_no_store(response):
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_report_downloads(client, officer, assessment, fmt):
    client.force_login(officer)
    assert_no_store(client.get(reverse("reports:report", args=[assessment.pk, fmt])))


@pytest.mark.parametrize("query", ["", "?blank=1"])
def test_workbook_download(client, officer, assessment, query):
    client.force_login(officer)
    assert_no_store(client.get(reverse("reports:workbook", args=[assessment.pk]) + query))


def test_evidence_download(client, officer, assessment):
    evidence = evidence_add(
        assessment=assessment, criterion_code="C1", upload=SimpleUploadedFile("r.pdf", PDF)
    )
    client.force_login(officer)
    assert_no_store(client.get(reverse("assessments:evidence", args=[assessment.pk, evidence.pk])))
