"""Portable assessment files and the score command."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa_tool.assessments.models import Assessment, AuditEvent, Cycle, Response
from qa_tool.assessments.portable import assessment_export, assessment_import
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_return,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
)

from ..factories import CycleFactory, InstitutionFactory

FULL = {
    "C1": {"value": 3, "justification": "Policy approved in 2025."},
    "C2": {"value": 2, "justification": ""},
    "C3": {"value": "na", "justification": "No such programme."},
    "C4": {"value": 1, "justification": "Pilot only."},
    "C5": {"value": 0, "justification": "Not started."},
}


def payload(**overrides):
    data = {
        "institution": "HOME",
        "rubric": "test-rubric",
        "version": "1",
        "subject": None,
        "cycle": "2026",
        "status": "draft",
        "responses": json.loads(json.dumps(FULL)),
    }
    data.update(overrides)
    return data


def run_import(tmp_path, data):
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_assessment", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return None, err.getvalue() + str(exc)
    return out.getvalue().strip(), err.getvalue()


def snapshot():
    return (
        list(
            Assessment.objects.order_by("pk").values_list(
                "institution__code", "status", "cycle__name"
            )
        ),
        # Ordered: PostgreSQL returns updated rows in another order than SQLite.
        list(
            Response.objects.order_by("assessment_id", "criterion__code").values_list(
                "criterion__code", "value", "is_na", "justification"
            )
        ),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def setup(institution, rubric_version):
    return institution, rubric_version


def test_import_creates_then_updates_and_prints_the_id(tmp_path, setup):
    out, _ = run_import(tmp_path, payload())
    assessment = Assessment.objects.get()
    assert out == str(assessment.pk)
    c3 = Response.objects.get(criterion__code="C3")
    assert c3.is_na and c3.value is None and c3.justification == "No such programme."
    changed = payload()
    changed["responses"]["C4"]["value"] = 3
    out, _ = run_import(tmp_path, changed)
    assert out == str(assessment.pk) and Assessment.objects.count() == 1
    assert Response.objects.get(criterion__code="C4").value == 3
    event = AuditEvent.objects.filter(criterion_code="C4").last()
    assert (event.field, event.old, event.new, event.source) == ("level", 1, 3, "file")


def test_submitted_import_and_round_trip(tmp_path, setup):
    out, _ = run_import(tmp_path, payload(status="submitted"))
    assessment = Assessment.objects.get(pk=int(out))
    assert assessment.status == "submitted"
    path = tmp_path / "export.json"
    call_command("export_assessment", str(assessment.pk), "-o", str(path), stdout=StringIO())
    exported = json.loads(path.read_text(encoding="utf-8"))
    expected = {**payload(status="submitted"), "subject": None}
    for item in expected["responses"].values():
        item["evidence_links"] = []
    assert exported == expected
    # importing the same submitted answers again is a no-op, not an error
    out, _ = run_import(tmp_path, exported)
    assert out == str(assessment.pk)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(institution="NOPE"), "unknown institution NOPE"),
        (lambda d: d.update(rubric="nope"), "unknown rubric nope"),
        (lambda d: d.update(version="9"), "rubric test-rubric has no version 9"),
        (lambda d: d["responses"].update(C9={"value": 1}), "C9: no such criterion in this rubric"),
        (
            lambda d: d["responses"]["C1"].update(value=7),
            "C1: 7 is not a level of the scale (0, 1, 2, 3)",
        ),
        (lambda d: d["responses"]["C1"].update(value=1.5), "C1: 1.5 is not a level of the scale"),
        (
            lambda d: d["responses"]["C2"].update(value="na"),
            "C2: N/A is not allowed for this criterion",
        ),
        (
            lambda d: d["responses"]["C2"].update(value="two"),
            'responses.C2.value: must be a number, "na" or null',
        ),
        (
            lambda d: d.update(status="validated"),
            'status: a validated assessment needs its review (the "review" object)',
        ),
        (lambda d: d.update(status="returned"), "status: must be draft, submitted or validated"),
        (
            lambda d: d["responses"]["C1"].update(evidence_links="https://example.org/a"),
            "responses.C1.evidence_links: must be a list of texts",
        ),
        (
            lambda d: d["responses"]["C1"].update(evidence_links=["https://example.org/a", 3]),
            "responses.C1.evidence_links: must be a list of texts",
        ),
        (
            lambda d: d["responses"]["C1"].update(
                evidence_links=["https://example.org/a", "ftp://example.org/b", "see minutes", ""]
            ),
            "responses.C1.evidence_links: not a web address (http or https): "
            '"ftp://example.org/b", "see minutes", ""',
        ),
        (
            lambda d: d["responses"]["C1"].update(
                evidence_links=["https://example.org/a\nhttps://example.org/b"]
            ),
            "responses.C1.evidence_links: not a web address (http or https): ",
        ),
        (
            lambda d: d["responses"]["C1"].update(
                evidence_links=["https://example.org/" + "a" * 5000]
            ),
            "responses.C1.evidence_links: at most 5000 characters in all",
        ),
        (
            lambda d: d.update(review={"C1": {"value": 2}}),
            "review: only a submitted or validated assessment has a review",
        ),
        (
            lambda d: d.update(review_comment="Well done."),
            "review_comment: only a validated assessment has the reviewer's overall comment",
        ),
        (lambda d: d.update(cycle="2026/27"), "cycle: Use letters, digits"),
        (lambda d: d.pop("responses"), "responses: required"),
        (lambda d: d.update(status="submitted") or d["responses"].pop("C5"), "missing: C5"),
    ],
)
def test_refusals_change_nothing(tmp_path, setup, change, message):
    run_import(tmp_path, payload())  # an existing draft that must stay as it is
    before = snapshot()
    data = payload()
    data["responses"]["C1"]["value"] = 2
    change(data)
    out, err = run_import(tmp_path, data)
    assert out is None
    assert message in err
    assert snapshot() == before


def test_malformed_json_file(tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_assessment", str(path))


def test_a_submitted_assessment_is_not_changed_by_a_file(tmp_path, setup):
    run_import(tmp_path, payload(status="submitted"))
    before = snapshot()
    data = payload(status="submitted")
    data["responses"]["C1"]["value"] = 0
    out, err = run_import(tmp_path, data)
    assert out is None and "can change only after a reviewer returns it" in err
    assert snapshot() == before


def test_assessment_score_json(tmp_path, setup):
    out, _ = run_import(tmp_path, payload())
    stdout = StringIO()
    call_command("assessment_score", out, "--json", stdout=stdout)
    body = json.loads(stdout.getvalue())
    # C1=3 (w1), C2=2 (w2), C3 N/A, C4=1 (w1), C5=0 (w3)
    # D1 = (1 + 4/3) / 3 = 77.78 %; D2 = (1/3) / 4 = 8.33 %; overall = (2*77.78 + 8.33) / 3 = 54.63 %
    self_assessed = {
        "completion": 100.0,
        "overall": {
            "score": 54.6,
            "points": 8,
            "points_possible": 21,
            "band": "Middle",
            "passed": False,
            "failed_critical": [],
            "failed_domains": [],
        },
        "domains": [{"code": "D1", "score": 77.8}, {"code": "D2", "score": 8.3}],
        "criteria": [
            {"code": code, "value": value, "na": na, "score": score, "self_value": self_value}
            | {"reviewed_value": None, "reviewer_comment": ""}
            for code, value, na, score, self_value in (
                ("C1", 3, False, 100.0, 3),
                ("C2", 2, False, 66.7, 2),
                ("C3", None, True, None, "na"),
                ("C4", 1, False, 33.3, 1),
                ("C5", 0, False, 0.0, 0),
            )
        ],
    }
    assert body == {
        "assessment": int(out),
        "institution": "HOME",
        "rubric": "test-rubric",
        "version": "1",
        "subject": None,
        "cycle": "2026",
        "status": "draft",
        **self_assessed,
        "headline": "self_assessed",
        "self_assessed": self_assessed,
        "validated": None,
    }
    table = StringIO()
    call_command("assessment_score", out, stdout=table)
    assert "Overall     54.6 %" in table.getvalue() and "Passed      no" in table.getvalue()


def test_score_of_an_unknown_assessment(db):
    with pytest.raises(CommandError, match="no assessment 999"):
        call_command("assessment_score", "999")


def test_institutions_are_separate(tmp_path, setup):
    InstitutionFactory(code="AWAY")
    run_import(tmp_path, payload())
    run_import(tmp_path, payload(institution="AWAY"))
    assert Assessment.objects.count() == 2


# --- evidence links and the review ------------------------------------------------------------

LINKS = ["https://example.org/policy.pdf", "http://example.org/minutes?year=2025"]


def validated_payload():
    data = payload(status="validated")
    data["responses"]["C1"]["evidence_links"] = LINKS
    data["review"] = {
        "C1": {"value": 2, "comment": "The policy is not yet applied everywhere."},
        "C2": {"value": None, "comment": "Agreed."},
        "C5": {"value": 1, "comment": ""},
    }
    data["review_comment"] = "Validated with two changes."
    return data


def score_json(assessment_id) -> dict:
    stdout = StringIO()
    call_command("assessment_score", str(assessment_id), "--json", stdout=stdout)
    return json.loads(stdout.getvalue())


def test_a_validated_assessment_round_trips_into_an_empty_database(tmp_path, setup, reviewer):
    institution, version = setup
    assessment, _created = assessment_start(
        institution=institution, rubric_version=version, cycle=CycleFactory(name="2025")
    )
    answers = {
        code: AnswerInput(
            value=None if item["value"] == "na" else item["value"],
            na=item["value"] == "na",
            justification=item["justification"],
        )
        for code, item in FULL.items()
    }
    answers["C1"] = AnswerInput(value=3, justification="Policy.", links="\n".join(LINKS))
    assessment_save_answers(assessment=assessment, answers=answers)
    assessment_submit(assessment=assessment)
    assessment_save_review(
        assessment=assessment,
        reviews={
            "C1": ReviewInput(value=Decimal(2), comment="Not applied everywhere."),
            "C3": ReviewInput(comment="Confirmed: no such programme."),
            "C5": ReviewInput(value=Decimal(1)),
        },
        actor=reviewer,
    )
    assessment_validate(assessment=assessment, actor=reviewer, comment="Validated with changes.")
    path = tmp_path / "validated.json"
    call_command("export_assessment", str(assessment.pk), "-o", str(path), stdout=StringIO())
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["status"] == "validated"
    assert exported["responses"]["C1"]["evidence_links"] == LINKS
    assert exported["review"] == {
        "C1": {"value": 2, "comment": "Not applied everywhere."},
        "C3": {"value": None, "comment": "Confirmed: no such programme."},
        "C5": {"value": 1, "comment": ""},
    }
    assert exported["review_comment"] == "Validated with changes."
    before = score_json(assessment.pk)

    assessment.delete()
    Cycle.objects.filter(name="2025").delete()
    assert not Assessment.objects.exists() and not Response.objects.exists()

    out, err = run_import(tmp_path, exported)
    assert err == ""
    imported = Assessment.objects.get(pk=int(out))
    after = score_json(imported.pk)
    assert before.pop("assessment") != after.pop("assessment")
    assert after == before
    assert imported.status == "validated"
    assert imported.review_comment == "Validated with changes."
    rows = {r.criterion.code: r for r in imported.responses.select_related("criterion")}
    assert rows["C1"].links == LINKS
    assert (rows["C1"].reviewed_value, rows["C1"].review_comment) == (2, "Not applied everywhere.")
    assert rows["C3"].review_comment == "Confirmed: no such programme."
    assert rows["C5"].reviewed_value == 1
    export_again = tmp_path / "again.json"
    call_command("export_assessment", out, "-o", str(export_again), stdout=StringIO())
    assert json.loads(export_again.read_text(encoding="utf-8")) == exported


def test_an_imported_validated_file_is_audited_as_from_the_file(tmp_path, setup):
    out, err = run_import(tmp_path, validated_payload())
    assert err == ""
    assessment = Assessment.objects.get(pk=int(out))
    assert assessment.status == "validated"
    assert assessment.review_comment == "Validated with two changes."
    events = AuditEvent.objects.filter(assessment=assessment)
    statuses = events.filter(action=AuditEvent.Action.STATUS)
    assert [(e.old, e.new, e.source) for e in statuses] == [
        ("draft", "submitted", "file"),
        ("submitted", "validated", "file"),
    ]
    assert statuses.last().comment == "Validated with two changes."
    answers = events.filter(action=AuditEvent.Action.ANSWER)
    assert answers.filter(criterion_code="C1", field="links").get().new == "\n".join(LINKS)
    reviews = events.filter(action=AuditEvent.Action.REVIEW)
    assert set(reviews.values_list("criterion_code", "field")) == {
        ("C1", "validated level"),
        ("C1", "review comment"),
        ("C2", "review comment"),
        ("C5", "validated level"),
    }
    assert {e.source for e in (*answers, *reviews)} == {"file"}
    assert all(e.actor is None for e in events)  # the command line has no user


def test_the_importing_actor_reviews_and_validates(setup, reviewer):
    assessment = assessment_import(data=validated_payload(), actor=reviewer)
    c1 = Response.objects.get(assessment=assessment, criterion__code="C1")
    assert c1.reviewed_by == reviewer
    validated = AuditEvent.objects.get(assessment=assessment, new="validated")
    assert (validated.actor, validated.source) == (reviewer, "file")


def test_the_same_validated_file_again_changes_nothing_and_another_is_refused(tmp_path, setup):
    out, _ = run_import(tmp_path, validated_payload())
    before = snapshot()
    again, err = run_import(tmp_path, validated_payload())
    assert (again, err) == (out, "")
    assert snapshot() == before
    changed = validated_payload()
    changed["review"]["C5"]["value"] = 2
    again, err = run_import(tmp_path, changed)
    assert again is None
    assert f"the assessment {out} is validated, which is final; a file cannot change it" in err
    assert snapshot() == before


def test_a_validated_file_without_review_creates_nothing(tmp_path, setup):
    data = validated_payload()
    del data["review"]
    out, err = run_import(tmp_path, data)
    assert out is None
    assert 'status: a validated assessment needs its review (the "review" object)' in err
    assert not Assessment.objects.exists() and not Cycle.objects.exists()
    assert not AuditEvent.objects.exists()


def test_bad_review_values_are_all_located_and_nothing_is_saved(tmp_path, setup):
    data = validated_payload()
    data["review"].update(
        {"C9": {"value": 1}, "C2": {"value": "na", "comment": ""}, "C4": {"value": 7}}
    )
    data["responses"]["C3"]["value"] = 9
    out, err = run_import(tmp_path, data)
    assert out is None
    for message in (
        "C3: 9 is not a level of the scale (0, 1, 2, 3)",
        "review.C9: no such criterion in this rubric",
        "review.C2.value: N/A is not allowed for this criterion",
        "review.C4.value: 7 is not a level of the scale (0, 1, 2, 3)",
        "4 problems found; nothing was changed.",
    ):
        assert message in err
    assert not Assessment.objects.exists() and not AuditEvent.objects.exists()


def test_a_malformed_review_is_located(tmp_path, setup):
    data = validated_payload()
    data["review"].update({"C2": "two", "C4": {"value": "two", "comment": 3}})
    data["review_comment"] = ["not", "a", "text"]
    out, err = run_import(tmp_path, data)
    assert out is None
    for message in (
        "review.C2: must be an object",
        'review.C4.value: must be a number, "na" or null',
        "review.C4.comment: must be a text",
        "review_comment: must be a text",
    ):
        assert message in err
    data = validated_payload()
    data["review"] = ["C1"]
    out, err = run_import(tmp_path, data)
    assert out is None and "review: must be an object keyed by criterion code" in err
    assert not Assessment.objects.exists()


def test_a_submitted_file_carries_the_review_in_progress(tmp_path, setup):
    data = payload(status="submitted")
    data["review"] = {"C4": {"value": 2, "comment": "More than a pilot."}}
    out, err = run_import(tmp_path, data)
    assert err == ""
    assessment = Assessment.objects.get(pk=int(out))
    assert assessment.status == "submitted"
    exported = assessment_export(assessment)
    assert exported["review"] == data["review"] and "review_comment" not in exported


def test_a_file_without_evidence_links_keeps_them_and_an_empty_list_clears_them(tmp_path, setup):
    data = payload()
    data["responses"]["C1"]["evidence_links"] = LINKS
    run_import(tmp_path, data)
    data["responses"]["C1"].pop("evidence_links")
    data["responses"]["C1"]["justification"] = "Policy approved in 2024."
    run_import(tmp_path, data)
    assert Response.objects.get(criterion__code="C1").links == LINKS
    data["responses"]["C1"]["evidence_links"] = []
    run_import(tmp_path, data)
    assert Response.objects.get(criterion__code="C1").evidence_links == ""


def test_a_returned_assessment_is_exported_as_a_draft_without_its_review(setup, reviewer):
    assessment = assessment_import(data=payload(status="submitted"))
    assessment_save_review(
        assessment=assessment, reviews={"C1": ReviewInput(value=Decimal(2))}, actor=reviewer
    )
    assessment_return(assessment=assessment, actor=reviewer, comment="Check C1.")
    exported = assessment_export(assessment)
    assert exported["status"] == "draft"
    assert "review" not in exported and "review_comment" not in exported
