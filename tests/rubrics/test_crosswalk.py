"""Crosswalk files: the coverage rule (hand-computed), and importing with every refusal."""

from fractions import Fraction
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from rubrics.crosswalk import CrosswalkFileError
from rubrics.models import Crosswalk
from rubrics.readthrough import Link, coverage, link_evidence
from rubrics.services import crosswalk_import

from ..crosswalk_helpers import crosswalk_doc, import_crosswalk, import_target

LINKS = [
    Link(("C1", "C2"), "T1", "full"),
    Link(("C3",), "T1", "partial"),
    Link(("C4",), "T2", "partial"),
    Link(("C1", "C5"), "T3", "full"),
]


def test_coverage_counts_each_target_once_full_before_partial():
    # C1, C2, C4 answered; C3 N/A and C5 unanswered are no evidence.
    cover = coverage(["T1", "T2", "T3", "T4"], LINKS, {"C1", "C2", "C4"})
    assert cover.status == {"T1": "full", "T2": "partial", "T3": "partial", "T4": "none"}
    # 1 of 4 fully, 2 of 4 partially (T3's full link has C5 unanswered), T4 unlinked.
    assert cover.full_percent == 25
    assert cover.partial_percent == 50
    assert cover.covered_percent == 75
    assert cover.full == ["T1"] and cover.partial == ["T2", "T3"]
    assert cover.without_evidence == ["T4"]


def test_coverage_of_thirds_and_of_nothing():
    cover = coverage(["T1", "T2", "T3"], LINKS, {"C3"})
    # Only the partial link C3 -> T1 is evidence: 1 of 3 partially, none fully.
    assert cover.partial_percent == Fraction(100, 3)
    assert cover.full_percent == 0
    assert cover.without_evidence == ["T2", "T3"]
    assert coverage([], LINKS, {"C1"}).covered_percent is None


def test_a_full_link_is_full_evidence_only_with_every_source_answered():
    link = Link(("C1", "C5"), "T3", "full")
    assert link_evidence(link, {"C1", "C5"}) == "full"
    assert link_evidence(link, {"C5"}) == "partial"
    assert link_evidence(link, set()) == "none"
    assert link_evidence(Link(("C3",), "T1", "partial"), {"C3"}) == "partial"


def test_links_to_criteria_outside_the_target_are_ignored():
    cover = coverage(["T1"], [Link(("C1",), "X9", "full")], {"C1"})
    assert cover.status == {"T1": "none"}


# --- importing -----------------------------------------------------------------------------


def write(tmp_path, doc, name="cw.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_stores_the_crosswalk_and_again_changes_nothing(tmp_path, rubric_version):
    target = import_target()
    path = write(tmp_path, crosswalk_doc())
    out = StringIO()
    call_command("import_crosswalk", path, stdout=out)
    assert "cw.yaml: crosswalk test-rubric 1 → target-rubric 1 created (4 links)" in out.getvalue()
    crosswalk = Crosswalk.objects.get()
    assert crosswalk.source == rubric_version and crosswalk.target == target
    assert crosswalk.links[1] == {
        "source": ["C3"],
        "target": "T1",
        "strength": "partial",
        "note": {},
    }
    assert crosswalk.links[2]["note"] == {"en": "Only part of T2", "fr": "Une partie de T2"}
    stamp = crosswalk.imported_at
    out = StringIO()
    call_command("import_crosswalk", path, stdout=out)
    assert "unchanged" in out.getvalue()
    assert Crosswalk.objects.get().imported_at == stamp


@pytest.mark.django_db
def test_changed_content_for_the_same_pair_replaces_the_links(rubric_version):
    import_target()
    import_crosswalk()
    doc = crosswalk_doc(links=[{"source": "C5", "target": "T4", "strength": "full"}])
    outcome = crosswalk_import(name="cw.yaml", content=yaml.safe_dump(doc).encode())
    assert outcome.action == "updated"
    assert Crosswalk.objects.count() == 1
    assert Crosswalk.objects.get().links == [
        {"source": ["C5"], "target": "T4", "strength": "full", "note": {}}
    ]


def refusal(doc, name="cw.yaml"):
    with pytest.raises(CrosswalkFileError) as caught:
        crosswalk_import(name=name, content=yaml.safe_dump(doc).encode())
    assert not Crosswalk.objects.exists()
    return [str(p) for p in caught.value.problems]


@pytest.mark.django_db
def test_unknown_codes_on_either_side_are_refused_with_their_place(rubric_version):
    import_target()
    doc = crosswalk_doc()
    doc["links"][0]["source"] = ["C1", "C9"]
    doc["links"][3]["target"] = "T9"
    assert refusal(doc) == [
        "cw.yaml: links[0].source[1]: no criterion C9 in test-rubric 1",
        "cw.yaml: links[3].target: no criterion T9 in target-rubric 1",
    ]


@pytest.mark.django_db
def test_a_rubric_version_not_imported_is_refused(rubric_version):
    import_target()
    doc = crosswalk_doc(target={"slug": "target-rubric", "version": "2"})
    assert refusal(doc) == [
        "cw.yaml: target: rubric target-rubric version 2 is not imported; import it first"
    ]
    doc = crosswalk_doc(source={"slug": "national-standards", "version": "1"})
    assert refusal(doc) == [
        "cw.yaml: source: rubric national-standards version 1 is not imported; import it first"
    ]


@pytest.mark.django_db
def test_bad_strength_and_shape_are_refused_before_the_database(rubric_version):
    doc = crosswalk_doc()
    doc["links"][0]["strength"] = "strong"
    doc["links"][1]["extra"] = 1
    doc["links"][2]["source"] = []
    del doc["links"][3]["target"]
    assert refusal(doc) == [
        "cw.yaml: links[0].strength: must be one of full, partial",
        "cw.yaml: links[1].extra: unknown field",
        "cw.yaml: links[2].source: must have at least 1 item(s)",
        "cw.yaml: links[3].target: is required",
    ]


@pytest.mark.django_db
def test_duplicate_links_and_the_same_version_on_both_sides_are_refused(rubric_version):
    doc = crosswalk_doc(target={"slug": "test-rubric", "version": "1"})
    doc["links"].append({"source": ["C2", "C1"], "target": "T1", "strength": "partial"})
    doc["links"][1]["source"] = ["C3", "C3"]
    assert refusal(doc) == [
        "cw.yaml: target: the target must be another rubric version than the source",
        "cw.yaml: links[1].source: C3 listed more than once",
        "cw.yaml: links[4]: the same link as links[0]",
    ]


@pytest.mark.django_db
def test_hostile_files_meet_the_rubric_reader_defences(tmp_path, rubric_version):
    import_target()
    aliases = b"source: &s {slug: test-rubric, version: '1'}\ntarget: *s\nlinks: []\n"
    with pytest.raises(CrosswalkFileError, match="anchors and aliases"):
        crosswalk_import(name="cw.yaml", content=aliases)
    deep = b"title: " + b"[" * 100 + b"]" * 100 + b"\n"
    with pytest.raises(CrosswalkFileError, match="nested more than 40 levels deep"):
        crosswalk_import(name="cw.yaml", content=deep)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 6_000_000)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_crosswalk", str(big), stderr=err)
    assert "big.yaml: the file is larger than 5000000 bytes" in err.getvalue()
    assert not Crosswalk.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_the_count(tmp_path, rubric_version):
    import_target()
    doc = crosswalk_doc()
    doc["links"][0]["target"] = "T9"
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem found; nothing was imported"):
        call_command("import_crosswalk", write(tmp_path, doc), stderr=err)
    assert "cw.yaml: links[0].target: no criterion T9 in target-rubric 1" in err.getvalue()


@pytest.mark.django_db
def test_the_shipped_crosswalk_imports_against_the_shipped_rubrics():
    from pathlib import Path

    from rubrics.services import rubric_import

    library = Path(__file__).resolve().parents[2] / "rubrics" / "library"
    rubric_import(files=[(p.name, p.read_bytes()) for p in sorted(library.glob("*.yaml"))])
    path = library / "crosswalks" / "course-review-to-institution.yaml"
    outcome = crosswalk_import(name=path.name, content=path.read_bytes())
    crosswalk = outcome.crosswalk
    assert (crosswalk.source.rubric.slug, crosswalk.target.rubric.slug) == (
        "obtl-course-review",
        "obtl-institution",
    )
    targets = {link["target"][:2] for link in crosswalk.links}
    assert targets == {"CD", "AI", "AC"}
