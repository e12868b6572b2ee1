"""Portable assessment files and the score command."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa_tool.assessments.models import Assessment, AuditEvent, Response

from ..factories import InstitutionFactory

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
        list(Assessment.objects.values_list("institution__code", "status", "cycle__name")),
        list(Response.objects.values_list("criterion__code", "value", "is_na", "justification")),
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
    assert exported == payload(status="submitted")
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
        (lambda d: d.update(status="validated"), "status: must be draft or submitted"),
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
