"""The rubrics shipped in rubrics/library: complete, importable, and scored as worked out by hand."""

from functools import cache
from pathlib import Path

import pytest

from qa_tool.assessments.selectors import assessment_result
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.core.numbers import display
from rubrics import scoring
from rubrics.document import read_rubric, translation_gaps
from rubrics.i18n import RUBRIC_LANGUAGES
from rubrics.services import rubric_import

from ..factories import CycleFactory, InstitutionFactory, subject_for

LIBRARY = Path(__file__).resolve().parents[2] / "rubrics" / "library"


@cache
def shipped(slug):
    path = LIBRARY / f"{slug}.yaml"
    return path.name, path.read_bytes()


def every_text(node):
    if isinstance(node, dict):
        if node and set(node) <= set(RUBRIC_LANGUAGES) and "en" in node:
            yield node
            return
        for value in node.values():
            yield from every_text(value)
    elif isinstance(node, list):
        for value in node:
            yield from every_text(value)


@pytest.mark.parametrize("slug", ["obtl-institution", "obtl-course-review"])
def test_shipped_rubric_is_complete_in_four_languages(slug):
    doc = read_rubric(*reversed(shipped(slug)))
    assert translation_gaps(doc) == []
    texts = list(every_text(doc))
    assert texts and all(
        set(t) == set(RUBRIC_LANGUAGES) and all(v.strip() for v in t.values()) for t in texts
    )
    values = [str(level["value"]) for level in doc["scale"]]
    for domain in doc["domains"]:
        assert domain["description"], domain["code"]
        for criterion in domain["criteria"]:
            assert list(criterion["descriptors"]) == values, criterion["code"]
            assert list(criterion["recommendations"]) == values[:-1], criterion["code"]
            assert criterion["guidance"], criterion["code"]


def test_institution_rubric_shape():
    doc = read_rubric(*reversed(shipped("obtl-institution")))
    assert len(doc["domains"]) >= 8
    assert sum(len(d["criteria"]) for d in doc["domains"]) >= 40
    assert [level["value"] for level in doc["scale"]] == [0, 1, 2, 3]
    assert doc["aggregate"] == "domains" and len(doc["bands"]) == 4


def test_course_rubric_shape():
    doc = read_rubric(*reversed(shipped("obtl-course-review")))
    criteria = [c for d in doc["domains"] for c in d["criteria"]]
    assert [level["label"]["en"] for level in doc["scale"]] == ["Not met", "Met"]
    assert {c["weight"] for c in criteria} == {1, 2, 3}
    assert any(c["critical"] for c in criteria)
    assert doc["aggregate"] == "criteria"
    assert doc["pass"] == {"min_score": 85, "critical_min_value": 1}


@pytest.fixture
def shipped_versions(db):
    outcomes = rubric_import(files=[shipped("obtl-institution"), shipped("obtl-course-review")])
    return {o.slug: o.rubric_version for o in outcomes}


def score_with(version, values):
    institution = InstitutionFactory()
    assessment, _ = assessment_start(
        institution=institution,
        rubric_version=version,
        cycle=CycleFactory(),
        subject=subject_for(version, institution),
    )
    assessment_save_answers(
        assessment=assessment,
        answers={
            code: AnswerInput(na=True) if value == "na" else AnswerInput(value=value)
            for code, value in values.items()
        },
    )
    return assessment_result(assessment)


def test_institution_worked_example_all_established(shipped_versions):
    version = shipped_versions["obtl-institution"]
    result = score_with(version, {c.code: 2 for c in version.criteria.all()})
    assert display(result.score) == display(scoring.exact(200) / 3)  # 66.7
    assert result.band.label == "Consolidating"  # 65 <= 66.67 < 85
    assert result.passed is True and result.completion == 100


def test_institution_worked_example_strong_but_governance_missing(shipped_versions):
    version = shipped_versions["obtl-institution"]
    values = {
        c.code: 0 if c.domain.code == "SG" else 3 for c in version.criteria.select_related("domain")
    }
    result = score_with(version, values)
    # Domain weights: SG 1.5, DI 1, CD 1.5, TL 1.5, AI 1.5, SS 1, SD 1, QM 1, AC 1 = 11.
    # SG scores 0, every other domain 100: overall = 9.5 / 11 = 86.36 %.
    assert str(display(result.score)) == "86.4"
    assert result.band.label == "Leading"
    assert result.passed is False and result.failed_critical == ("SG1",)


def test_institution_na_is_left_out(shipped_versions):
    version = shipped_versions["obtl-institution"]
    values = {c.code: 3 for c in version.criteria.all()}
    values.update(DI5="na", QM4="na", DI2=0)
    result = score_with(version, values)
    di = next(d for d in result.domains if d.code == "DI")
    # DI: DI1 w2, DI2 w1.5 (0), DI3 w1.5, DI4 w1; DI5 N/A: (2 + 1.5 + 1) / 6 = 75 %
    assert di.score == 75
    assert result.completion == 100


def test_course_worked_examples(shipped_versions):
    version = shipped_versions["obtl-course-review"]
    all_met = {c.code: 1 for c in version.criteria.all()}

    result = score_with(version, {**all_met, "LO2": 0, "CO3": 0})
    # 42 points possible; LO2 (2) and CO3 (1) not met: 39 / 42 = 92.86 %
    assert (result.points, result.points_possible) == (39, 42)
    assert str(display(result.score)) == "92.9"
    assert result.band.label == "Meets the standard" and result.passed is True

    result = score_with(version, {**all_met, "MR1": 0})
    # the same score, but MR1 is a critical standard
    assert str(display(result.score)) == "92.9"
    assert result.passed is False and result.failed_critical == ("MR1",)

    result = score_with(
        version, {**all_met, "IE3": "na", "IE4": "na", "LO2": 0, "LO3": 0, "AS3": 0}
    )
    # two 1-point standards N/A: 40 possible; 6 points not met: 34 / 40 = exactly 85 %: passes
    assert (result.points, result.points_possible) == (34, 40)
    assert result.score == 85 and result.passed is True

    result = score_with(
        version, {**all_met, "IE3": "na", "IE4": "na", "LO2": 0, "LO3": 0, "AS3": 0, "AS4": 0}
    )
    assert result.score == scoring.exact("82.5") and result.passed is False
    assert result.band.label == "Needs revision"


def test_course_rubric_never_puts_a_failed_course_in_a_passing_band(shipped_versions):
    version = shipped_versions["obtl-course-review"]
    assert version.version == "1.2"
    assert [b.get("requires_pass", False) for b in version.bands] == [False, True, True]
    all_met = {c.code: 1 for c in version.criteria.all()}
    # MR1 (critical, 3 points) not met: 39 / 42 = 92.9 %, "Meets the standard" by points alone.
    result = score_with(version, {**all_met, "MR1": 0})
    assert str(display(result.score)) == "92.9"
    assert result.passed is False
    assert result.band.label == "Needs revision"
    result = score_with(version, all_met)
    assert result.passed is True and result.band.label == "Exemplary"


def test_course_rubric_1_0_stays_as_imported(db):
    """1.0 had no requires_pass; a database holding it keeps it, and the current version
    arrives beside it."""
    name, content = shipped("obtl-course-review")
    old = content.replace(b'version: "1.2"', b'version: "1.0"').replace(
        b"    requires_pass: true\n", b""
    )
    (first,) = rubric_import(files=[(name, old)])
    institution = InstitutionFactory()
    assessment_start(
        institution=institution,
        rubric_version=first.rubric_version,
        cycle=CycleFactory(),
        subject=subject_for(first.rubric_version, institution),
    )
    (second,) = rubric_import(files=[(name, content)])
    assert (second.version, second.action) == ("1.2", "created")
    first.rubric_version.refresh_from_db()
    assert not any(b.get("requires_pass") for b in first.rubric_version.bands)


def test_rubric_page_says_which_bands_require_a_pass(client, officer, shipped_versions):
    client.force_login(officer)
    response = client.get("/rubrics/obtl-course-review/1.2/")
    assert response.status_code == 200
    assert response.content.decode().count("only if the assessment passes") == 2
