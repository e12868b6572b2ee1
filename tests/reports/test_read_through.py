"""The results page and the JSON report read an assessment through a crosswalk."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qa_tool.assessments.services import (
    AnswerInput,
    assessment_save_answers,
    evidence_add,
)
from rubrics.services import crosswalk_import

from ..crosswalk_helpers import crosswalk_doc, import_crosswalk, import_target, target_doc
from ..factories import import_doc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def crosswalk(rubric_version):
    import_target()
    return import_crosswalk()


@pytest.fixture
def answered(assessment):
    """The conftest draft (C1=3, C2=2, C3=N/A, C4=1, C5 unanswered) with evidence on C1."""
    assessment_save_answers(
        assessment=assessment,
        answers={"C1": AnswerInput(value=3, links="https://example.org/policy")},
    )
    evidence_add(
        assessment=assessment,
        criterion_code="C1",
        upload=SimpleUploadedFile("policy.pdf", PDF),
    )
    return assessment


def page(client, user, assessment, query=""):
    client.force_login(user)
    return client.get(reverse("assessments:score", args=[assessment.pk]) + query)


def test_the_page_reads_the_answers_through_the_target(client, officer, answered, crosswalk):
    response = page(client, officer, answered)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Read through Target framework (1)" in text
    # T1 fully (C1 and C2 answered), T2 and T3 partially, T4 without evidence: 25 % + 50 %.
    section = text.split('id="read-through"')[1].split('id="criteria"')[0]
    assert "75.0 %" in section and "25.0 %" in section and "50.0 %" in section
    assert "of 4 criteria" in section
    assert "Level 3" in section and "Level 2" in section
    assert "policy.pdf" in section and "https://example.org/policy" in section
    assert "Only part of T2" in section
    without = section.split("with no evidence yet")[1]
    assert "T4" in without and "Target four" in without and "T1" not in without


def test_json_carries_the_read_through(client, officer, answered, crosswalk):
    client.force_login(officer)
    response = client.get(reverse("reports:report", args=[answered.pk, "json"]))
    body = json.loads(response.content)
    through = body["read_through"]
    assert body["crosswalks"] == [
        {"id": crosswalk.pk, "target": "target-rubric", "target_version": "1"}
    ]
    assert (through["full_percent"], through["partial_percent"], through["covered_percent"]) == (
        25.0,
        50.0,
        75.0,
    )
    assert through["target_criteria"] == 4
    assert through["without_evidence"] == ["T4"]
    t1 = through["criteria"][0]
    assert t1["code"] == "T1" and t1["coverage"] == "full"
    assert [link["strength"] for link in t1["links"]] == ["full", "partial"]
    full, partial = t1["links"]
    assert full["evidence"] == "full"
    assert full["sources"][0] == {
        "code": "C1",
        "level": "Level 3",
        "links": ["https://example.org/policy"],
        "files": ["policy.pdf"],
    }
    assert full["sources"][1]["level"] == "Level 2"
    assert full["note"] is None
    assert through["criteria"][1]["links"][0]["note"] == "Only part of T2"
    # C3 is N/A: shown as such, and no evidence.
    assert partial["evidence"] == "none"
    assert partial["sources"] == [{"code": "C3", "level": "N/A", "links": [], "files": []}]
    # T3's full link has C5 unanswered: partial evidence only.
    t3 = through["criteria"][2]
    assert (t3["coverage"], t3["links"][0]["evidence"]) == ("partial", "partial")
    assert t3["links"][0]["sources"][1] == {"code": "C5", "level": None, "links": [], "files": []}


def test_a_validated_assessment_is_read_through_the_reviewers_levels(
    client, officer, answered, crosswalk
):
    from qa_tool.assessments.models import Response, Status

    # The reviewer validated C1 at level 1 (self-assessed 3): the headline level is read.
    Response.objects.filter(assessment=answered, criterion__code="C1").update(reviewed_value=1)
    type(answered).objects.filter(pk=answered.pk).update(status=Status.VALIDATED)
    client.force_login(officer)
    body = json.loads(client.get(reverse("reports:report", args=[answered.pk, "json"])).content)
    assert body["read_through"]["criteria"][0]["links"][0]["sources"][0]["level"] == "Level 1"


def test_the_user_chooses_the_target_among_several(client, officer, answered, crosswalk):
    other = import_doc(target_doc(slug="national-standards", title="National standards"))
    doc = crosswalk_doc(target={"slug": "national-standards", "version": "1"})
    doc["links"] = [{"source": "C5", "target": "T4", "strength": "full"}]
    import yaml

    second = crosswalk_import(name="n.yaml", content=yaml.safe_dump(doc).encode()).crosswalk
    assert second.target == other
    # Targets are offered by slug: national-standards first, so it is the default.
    text = page(client, officer, answered).content.decode()
    assert "Read through National standards (1)" in text
    assert f'<option value="{second.pk}" selected>' in text
    # C5 is unanswered: nothing of the national standards is covered.
    section = text.split('id="read-through"')[1].split('id="criteria"')[0]
    assert "0.0 %" in section and "75.0 %" not in section
    text = page(client, officer, answered, f"?through={crosswalk.pk}").content.decode()
    assert "Read through Target framework (1)" in text
    assert f'<option value="{crosswalk.pk}" selected>' in text
    # Anything else falls back to the first crosswalk, never an error.
    for bad in ("abc", "999999", "-1", "1" * 40, f"{crosswalk.pk}x"):
        response = page(client, officer, answered, f"?through={bad}")
        assert response.status_code == 200
        assert "Read through National standards (1)" in response.content.decode()


def test_no_crosswalk_no_section(client, officer, answered):
    text = page(client, officer, answered).content.decode()
    assert 'id="read-through"' not in text


def test_outsiders_get_404_on_the_page_and_the_json(client, outsider, answered, crosswalk):
    assert page(client, outsider, answered, f"?through={crosswalk.pk}").status_code == 404
    url = reverse("reports:report", args=[answered.pk, "json"]) + f"?through={crosswalk.pk}"
    assert client.get(url).status_code == 404


def test_queries_do_not_grow_with_links(client, officer, answered, crosswalk):
    client.force_login(officer)
    url = reverse("assessments:score", args=[answered.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    doc = crosswalk_doc()
    doc["links"] += [
        {"source": code, "target": target, "strength": "partial"}
        for code in ("C2", "C5")
        for target in ("T2", "T4")
    ]
    import yaml

    crosswalk_import(name="cw.yaml", content=yaml.safe_dump(doc).encode())
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
