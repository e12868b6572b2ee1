"""backup and restore: everything comes back, a damaged or mismatched backup changes nothing."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from qa_tool.assessments.models import Assessment, Evidence
from qa_tool.assessments.selectors import assessment_score_json
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_submit,
    assessment_validate,
    evidence_add,
)
from qa_tool.institutions.models import Institution, User

from ..factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """A private media root of this test's own: a backup copies the whole folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def network(assessment, reviewer, other_institution):
    """A validated assessment with a reviewer's change, links and an evidence file."""
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C1": AnswerInput(
                value=3, justification="Policy — سياسة — 政策", links="https://e.org/p"
            ),
            "C2": AnswerInput(value=2, justification="Partly."),
            "C3": AnswerInput(na=True),
            "C4": AnswerInput(value=1),
            "C5": AnswerInput(value=0),
        },
    )
    evidence_add(
        assessment=assessment, criterion_code="C1", upload=SimpleUploadedFile("p.pdf", PDF)
    )
    assessment_submit(assessment=assessment)
    assessment_save_review(
        assessment=assessment,
        reviews={"C1": ReviewInput(value=Decimal(1), comment="Not applied.")},
        actor=reviewer,
    )
    assessment_validate(assessment=assessment, actor=reviewer, comment="Validated with changes.")
    return assessment


def scores():
    return [assessment_score_json(a) for a in Assessment.objects.order_by("pk")]


def evidence_bytes():
    return {e.file.name: e.file.read() for e in Evidence.objects.order_by("pk")}


def empty_the_site():
    media = Path(settings.MEDIA_ROOT)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    call_command("flush", interactive=False, verbosity=0)


def test_a_backup_restored_into_an_empty_database_gives_every_score_and_file_back(
    network, officer, tmp_path, client
):
    before_scores, before_files = scores(), evidence_bytes()
    assert before_scores[0]["overall"]["score"] is not None and len(before_files) == 1
    out = StringIO()
    call_command("backup", "-o", str(tmp_path / "b"), stdout=out)
    assert "1 files" in out.getvalue()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert [f["path"] for f in manifest["files"]] == list(before_files)
    assert len(manifest["database"]["sha256"]) == 64

    empty_the_site()
    assert not Assessment.objects.exists() and not Institution.objects.exists()

    call_command("restore", str(tmp_path / "b"), stdout=StringIO())
    assert scores() == before_scores
    assert evidence_bytes() == before_files
    # People come back with their passwords and institutions: the officer can log in again.
    assert client.login(username=officer.username, password=PASSWORD)
    assert User.objects.get(username=officer.username).institution.code == network.institution.code


def test_restore_refuses_a_database_that_already_holds_data(network, tmp_path):
    call_command("backup", "-o", str(tmp_path / "b"), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    assert Assessment.objects.count() == 1


def test_a_damaged_backup_is_refused_before_anything_is_written(network, tmp_path):
    call_command("backup", "-o", str(tmp_path / "b"), stdout=StringIO())
    empty_the_site()
    stored = next(p for p in (tmp_path / "b" / "files").rglob("*") if p.is_file())
    stored.write_bytes(PDF.replace(b"1.4", b"1.5"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO(), stderr=err)
    assert "does not match its checksum" in err.getvalue()
    assert not Institution.objects.exists()
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


@pytest.mark.parametrize("path", ["../outside.pdf", "/etc/passwd", "a/../../b"])
def test_a_manifest_naming_files_outside_the_backup_is_refused(network, tmp_path, path):
    call_command("backup", "-o", str(tmp_path / "b"), stdout=StringIO())
    empty_the_site()
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][0]["path"] = path
    manifest_path.write_text(json.dumps(manifest))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO(), stderr=err)
    assert "outside the backup" in err.getvalue()
    assert not Institution.objects.exists()


def test_an_unfinished_backup_or_a_used_folder_is_refused(network, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("backup", "-o", str(tmp_path / "used"), stdout=StringIO(), stderr=err)
    assert "not an empty folder" in err.getvalue()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "used"), stdout=StringIO(), stderr=err)
    assert "not a finished backup" in err.getvalue()


def test_a_backup_of_other_migrations_is_refused(network, tmp_path):
    call_command("backup", "-o", str(tmp_path / "b"), stdout=StringIO())
    empty_the_site()
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"]["assessments"].append("9999_from_the_future")
    manifest_path.write_text(json.dumps(manifest))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO(), stderr=err)
    assert "other migrations" in err.getvalue()
    assert not Institution.objects.exists()
