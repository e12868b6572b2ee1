"""Importing rubric files: atomic, frozen once used, and round-trippable."""

import json
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from qa_tool.assessments.services import assessment_start
from rubrics.document import RubricFileError
from rubrics.models import Criterion, Domain, Rubric, RubricVersion
from rubrics.services import rubric_import

from ..factories import import_doc, rubric_doc


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path)


def db_state():
    return (
        list(Rubric.objects.values_list("slug", "title")),
        list(
            RubricVersion.objects.values_list("rubric__slug", "version", "content_hash", "retired")
        ),
        Domain.objects.count(),
        list(Criterion.objects.values_list("code", "weight")),
    )


@pytest.mark.django_db
def test_import_creates_the_tree(tmp_path):
    out = StringIO()
    call_command("import_rubric", write(tmp_path, "r.yaml", rubric_doc()), stdout=out)
    assert "r.yaml: test-rubric 1 created" in out.getvalue()
    version = RubricVersion.objects.get()
    assert [d.code for d in version.domains.all()] == ["D1", "D2"]
    c2 = version.criteria.get(code="C2")
    assert c2.critical and c2.weight == 2 and c2.domain.code == "D1"
    assert c2.recommendations["0"] == {"en": "Start C2"}
    assert version.rubric.title["zh-hans"] == "Test rubric (zh)"


@pytest.mark.django_db
def test_a_bad_file_among_good_ones_imports_nothing(tmp_path):
    import_doc(rubric_doc(slug="existing"))
    before = db_state()
    good = write(tmp_path, "good.yaml", rubric_doc(slug="another"))
    changed = write(tmp_path, "changed.yaml", rubric_doc(slug="existing", title="New title"))
    bad = rubric_doc(slug="broken")
    bad["domains"][1]["criteria"][1]["weight"] = 0
    bad_path = write(tmp_path, "bad.yaml", bad)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_rubric", good, changed, bad_path, stderr=err)
    assert "bad.yaml: domains[1].criteria[1].weight: must be greater than 0" in err.getvalue()
    assert db_state() == before


@pytest.mark.django_db
def test_a_database_refusal_late_in_the_batch_rolls_back_earlier_files(
    tmp_path, institution, cycle
):
    used = import_doc(rubric_doc(slug="used"))
    assessment_start(institution=institution, rubric_version=used, cycle=cycle)
    before = db_state()
    first = write(tmp_path, "new.yaml", rubric_doc(slug="brand-new"))
    frozen = write(tmp_path, "frozen.yaml", rubric_doc(slug="used", title="Changed"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_rubric", first, frozen, stderr=err)
    assert "frozen.yaml: version: used 1 is used by assessments and is frozen" in err.getvalue()
    assert db_state() == before
    assert not Rubric.objects.filter(slug="brand-new").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"slug: [unclosed\n", "bad.yaml: malformed YAML at line"),
        (
            yaml.safe_dump({**rubric_doc(), "version": 3}).encode(),
            "bad.yaml: version: must be a text",
        ),
        (
            yaml.safe_dump({k: v for k, v in rubric_doc().items() if k != "scale"}).encode(),
            "bad.yaml: scale: is required",
        ),
        (
            yaml.safe_dump({**rubric_doc(), "title": {"en": "x", "sw": "y"}}).encode(),
            "bad.yaml: title.sw: unknown language",
        ),
    ],
)
def test_errors_are_located_and_never_a_traceback(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_rubric", str(path), stderr=err)
    assert expected in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert not RubricVersion.objects.exists()


@pytest.mark.django_db
def test_duplicate_criterion_code_from_the_command(tmp_path):
    doc = rubric_doc()
    doc["domains"][1]["criteria"][0]["code"] = "C1"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_rubric", write(tmp_path, "dup.yaml", doc), stderr=err)
    assert "dup.yaml: domains[1].criteria[0].code: duplicate criterion code 'C1'" in err.getvalue()


@pytest.mark.django_db
def test_same_slug_and_version_twice_in_one_batch(tmp_path):
    with pytest.raises(RubricFileError, match=r"also in a\.yaml"):
        rubric_import(
            files=[
                ("a.yaml", yaml.safe_dump(rubric_doc()).encode()),
                ("b.yaml", yaml.safe_dump(rubric_doc()).encode()),
            ]
        )


@pytest.mark.django_db
def test_identical_content_is_a_no_op(institution, cycle):
    version = import_doc()
    assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    (outcome,) = rubric_import(files=[("again.yaml", yaml.safe_dump(rubric_doc()).encode())])
    assert outcome.action == "unchanged" and outcome.rubric_version.pk == version.pk


@pytest.mark.django_db
def test_an_unused_version_can_be_corrected():
    version = import_doc()
    changed = rubric_doc()
    changed["domains"][0]["criteria"][0]["weight"] = 5
    (outcome,) = rubric_import(files=[("fix.yaml", yaml.safe_dump(changed).encode())])
    assert outcome.action == "updated"
    assert RubricVersion.objects.get(pk=version.pk).criteria.get(code="C1").weight == 5
    assert Criterion.objects.count() == 5


@pytest.mark.django_db
def test_a_used_version_is_frozen_and_a_new_version_is_a_new_row(institution, cycle):
    version = import_doc()
    assessment, _ = assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    changed = rubric_doc()
    changed["domains"][0]["criteria"][0]["weight"] = 5
    with pytest.raises(RubricFileError, match="is used by assessments and is frozen"):
        rubric_import(files=[("fix.yaml", yaml.safe_dump(changed).encode())])
    assert version.criteria.get(code="C1").weight == 1
    changed["version"] = "2"
    (outcome,) = rubric_import(files=[("v2.yaml", yaml.safe_dump(changed).encode())])
    assert outcome.action == "created"
    assert RubricVersion.objects.filter(rubric__slug="test-rubric").count() == 2
    assessment.refresh_from_db()
    assert assessment.rubric_version_id == version.pk


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_export_imports_back_to_the_same_rubric(tmp_path, suffix):
    version = import_doc()
    path = tmp_path / f"out.{suffix}"
    call_command(
        "export_rubric", "test-rubric", "--version", "1", "-o", str(path), stdout=StringIO()
    )
    exported = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert exported["domains"][0]["criteria"][1]["recommendations"]["0"] == {"en": "Start C2"}
    RubricVersion.objects.all().delete()
    Rubric.objects.all().delete()
    out = StringIO()
    call_command("import_rubric", str(path), stdout=out)
    assert "created" in out.getvalue()
    again = RubricVersion.objects.get()
    assert again.content == version.content and again.content_hash == version.content_hash


@pytest.mark.django_db
def test_export_of_an_unknown_rubric(tmp_path):
    with pytest.raises(CommandError, match="no rubric nope"):
        call_command("export_rubric", "nope", "-o", str(tmp_path / "x.yaml"))


@pytest.mark.django_db
def test_retired_versions_are_not_offered():
    version = import_doc()
    assert list(RubricVersion.objects.offered()) == [version]
    version.retired = True
    version.save()
    assert not RubricVersion.objects.offered().exists()


def test_json_export_is_valid_json(tmp_path, db):
    import_doc()
    path = tmp_path / "out.json"
    call_command("export_rubric", "test-rubric", "-o", str(path), stdout=StringIO())
    assert json.loads(path.read_text())["slug"] == "test-rubric"


def _english_only(slug):
    doc = rubric_doc(slug=slug, title="English only")
    for level in doc["scale"]:
        level["label"] = level["label"]["en"]
    doc["domains"][0]["title"] = "Domain one"
    doc["domains"][0]["criteria"][0]["text"] = "Criterion one"
    return doc


def test_upload_shows_one_warning_message_per_file_with_its_list(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(admin_user)
    files = [
        SimpleUploadedFile("gaps.yaml", yaml.safe_dump(rubric_doc()).encode()),
        SimpleUploadedFile("plain.yaml", yaml.safe_dump(_english_only("plain")).encode()),
    ]
    response = client.post(reverse("rubrics:import"), {"files": files}, follow=True)
    shown = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert [m.message.splitlines()[0] for m in shown] == ["gaps.yaml: 16 warnings"]
    page = response.content.decode()
    assert page.count("gaps.yaml: 16 warnings") == 1
    items = page.split("gaps.yaml: 16 warnings", 1)[1].split("</ul>", 1)[0]
    assert items.count('<li dir="auto">') == 16
    assert '<li dir="auto">domains[1].title: no ar, fr, zh-hans text</li>' in items


def test_warning_message_lists_at_most_twenty():
    from rubrics.views import _warnings_message

    text = _warnings_message("big.yaml", [f"w{i} <b>" for i in range(25)])
    lines = text.splitlines()
    assert lines[0] == "big.yaml: 25 warnings"
    assert lines[1:3] == ["w0 <b>", "w1 <b>"] and lines[-1] == "and 5 more" and len(lines) == 22


def test_itemised_messages_are_escaped(rf, admin_user):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    message = Message(constants.WARNING, "x.yaml: 1 warning\n<b>bold</b>", extra_tags="itemised")
    request = rf.get("/")
    request.user = admin_user
    page = render_to_string("base.html", {"messages": [message]}, request=request)
    assert '<li dir="auto">&lt;b&gt;bold&lt;/b&gt;</li>' in page


def test_import_command_groups_warnings_by_file(db, tmp_path):
    path = tmp_path / "gaps.yaml"
    path.write_text(yaml.safe_dump(rubric_doc()))
    out = StringIO()
    call_command("import_rubric", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "gaps.yaml: test-rubric 1 created"
    assert lines[1] == "gaps.yaml: 16 warnings"
    assert lines[2] == "  - description: no ar, fr, zh-hans text" and len(lines) == 18
