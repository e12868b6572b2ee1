"""The importer's refusals for normalise, overall and domain gates, and what it accepts."""

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from rubrics.document import RubricFileError, validate
from rubrics.models import RubricVersion

from ..factories import acode_doc, rubric_doc


def problems_of(doc, source="r.yaml"):
    with pytest.raises(RubricFileError) as exc:
        validate(doc, source)
    return [str(p) for p in exc.value.problems]


def test_a_profile_rubric_refuses_bands_and_a_pass_rule():
    doc = rubric_doc(overall="none")
    assert problems_of(doc) == [
        "r.yaml: bands: a rubric with overall: none has no score, so it cannot have bands",
        "r.yaml: pass: a rubric with overall: none has no score, so it cannot have a pass rule",
    ]


def test_a_profile_rubric_refuses_domain_gates():
    doc = acode_doc(overall="none")
    doc["domains"][1]["min_score"] = 50
    assert problems_of(doc) == [
        "r.yaml: domains[1].min_score: a rubric with overall: none has no score, so no domain gates"
    ]


def test_a_domain_gate_needs_a_pass_rule():
    doc = rubric_doc()
    del doc["pass"]
    doc["domains"][0]["min_score"] = 50
    assert problems_of(doc) == [
        "r.yaml: domains[0].min_score: a domain gate is part of the pass rule: add a pass rule (pass)"
    ]


def test_a_points_gate_needs_criteria_aggregate():
    doc = rubric_doc()
    doc["domains"][1]["min_points"] = 2
    assert problems_of(doc) == [
        "r.yaml: domains[1].min_points: point thresholds (min_points) need aggregate: criteria"
    ]


def test_a_gate_takes_one_threshold_and_a_known_option():
    doc = rubric_doc()
    doc["domains"][1].update(min_score=50, min_points=2)
    assert any(p.startswith("r.yaml: domains[1]") for p in problems_of(doc))
    assert problems_of(rubric_doc(normalise="lowest")) == [
        "r.yaml: normalise: must be one of max, range"
    ]
    assert problems_of(rubric_doc(overall="nothing")) == [
        "r.yaml: overall: must be one of score, none"
    ]


def test_valid_framework_options_are_kept():
    assert validate(acode_doc())["normalise"] == "range"
    assert validate(acode_doc(overall="none"))["overall"] == "none"
    gated = rubric_doc(aggregate="criteria", bands=[{"min_points": 0, "label": "Low"}])
    gated["pass"] = {"min_points": 6}
    gated["domains"][1]["min_points"] = 2
    gated["domains"][0]["min_score"] = 40
    doc = validate(gated)
    assert (doc["domains"][0]["min_score"], doc["domains"][1]["min_points"]) == (40, 2)


def test_defaults_leave_existing_documents_unchanged():
    assert validate(rubric_doc(normalise="max", overall="score")) == validate(rubric_doc())


@pytest.mark.django_db
def test_the_import_command_refuses_and_saves_nothing(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(rubric_doc(overall="none")), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_rubric", str(path), stderr=err)
    assert "profile.yaml: bands: a rubric with overall: none has no score" in err.getvalue()
    assert not RubricVersion.objects.exists()
