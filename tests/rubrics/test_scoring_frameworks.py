"""The scoring contract's framework options: normalise, overall and domain gates.
Pure: no database. Every expected number is computed by hand in a comment."""

from decimal import Decimal
from fractions import Fraction as F

from qa_tool.core.numbers import display
from rubrics import scoring

from ..factories import acode_doc, normalised, rubric_doc

ACODE = scoring.spec_from_document(normalised(acode_doc()))


def test_range_puts_the_lowest_level_at_zero():
    result = scoring.score(ACODE, {"A1": 1, "A2": 1, "B1": 1, "B2": 1})
    assert result.score == 0
    assert [d.score for d in result.domains] == [0, 0]
    assert [c.score for c in result.criteria] == [0, 0, 0, 0]
    # Points stay weight * value: 1*1 + 3*1 + 2*1 + 1*1 = 7 of 5*(1+3+2+1) = 35.
    assert (result.points, result.points_possible) == (7, 35)


def test_range_level_3_of_1_to_5_is_half():
    result = scoring.score(ACODE, {"A1": 3, "A2": 3, "B1": 3, "B2": 3})
    # (3 - 1) / (5 - 1) = 1/2 everywhere, whatever the weights.
    assert result.score == 50
    assert [c.score for c in result.criteria] == [50, 50, 50, 50]


def test_range_with_mixed_levels_and_weights():
    answers = {"A1": 5, "A2": 3, "B1": 2, "B2": 4}
    result = scoring.score(ACODE, answers)
    # A1 (5-1)/4 = 1, A2 (3-1)/4 = 1/2, B1 (2-1)/4 = 1/4, B2 (4-1)/4 = 3/4.
    # A = (1*1 + 3*1/2) / 4 = 5/8 = 62.5 %; B = (2*1/4 + 1*3/4) / 3 = 5/12 = 41.7 %.
    # Overall = (2*5/8 + 1*5/12) / 3 = (15/12 + 5/12) / 3 = 5/9 = 55.6 %.
    assert [d.score for d in result.domains] == [F(125, 2), F(125, 3)]
    assert result.score == F(500, 9)
    assert display(result.score) == Decimal("55.6")
    # Points: 1*5 + 3*3 + 2*2 + 1*4 = 22 of 35, the same under either rule.
    assert (result.points, result.points_possible) == (22, 35)
    # aggregate: criteria = (1*1 + 3*1/2 + 2*1/4 + 1*3/4) / 7 = (15/4) / 7 = 15/28 = 53.6 %.
    by_criteria = scoring.score(
        scoring.spec_from_document(normalised(acode_doc(aggregate="criteria"))), answers
    )
    assert by_criteria.score == F(1500, 28)
    # The same answers read with normalise: max: A1 1, A2 3/5, B1 2/5, B2 4/5;
    # A = (1 + 9/5) / 4 = 7/10; B = (4/5 + 4/5) / 3 = 8/15; overall = (14/10 + 8/15) / 3 = 29/45.
    as_max = scoring.score(
        scoring.spec_from_document(normalised(acode_doc(normalise="max"))), answers
    )
    assert as_max.score == F(2900, 45)
    assert display(as_max.score) == Decimal("64.4")


def test_max_is_the_default_and_existing_rubrics_score_as_before():
    spec = scoring.spec_from_document(normalised(rubric_doc()))
    assert spec.normalise == scoring.NORMALISE_MAX and spec.has_score
    # The README's worked example: 0..3 scale, 63.0 %.
    result = scoring.score(spec, {"C1": 3, "C2": 2, "C3": "na", "C4": 1})
    assert result.score == F(1700, 27)
    assert result.failed_domains == ()


def test_level_percent_is_the_one_rule():
    assert [ACODE.level_percent(F(v)) for v in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    spec = scoring.spec_from_document(normalised(rubric_doc()))
    assert [spec.level_percent(F(v)) for v in (0, 1, 2, 3)] == [0, F(100, 3), F(200, 3), 100]


# --- overall: none --------------------------------------------------------------------------

PROFILE = scoring.spec_from_document(normalised(acode_doc(overall="none")))
PROFILE_ANSWERS = {"A1": 5, "A2": 3, "B1": "na"}  # B2 unanswered


def test_a_profile_rubric_has_no_score_band_or_pass():
    result = scoring.score(PROFILE, PROFILE_ANSWERS)
    assert not result.has_score
    assert result.score is None and result.band is None and result.passed is None
    assert [d.score for d in result.domains] == [None, None]
    assert all(c.score is None for c in result.criteria)
    assert result.completion == 75  # 3 of 4 answered (N/A counts as answered)


def test_the_profile_counts_criteria_per_level():
    result = scoring.score(PROFILE, PROFILE_ANSWERS)
    assert result.profile.levels == ((1, 0), (2, 0), (3, 1), (4, 0), (5, 1))
    assert (result.profile.na, result.profile.unanswered) == (1, 1)
    a, b = result.domains
    assert a.profile.levels == ((1, 0), (2, 0), (3, 1), (4, 0), (5, 1))
    assert (a.profile.na, a.profile.unanswered) == (0, 0)
    assert b.profile.rated == 0 and (b.profile.na, b.profile.unanswered) == (1, 1)


def test_a_profile_rubric_json_has_no_overall():
    body = scoring.score(PROFILE, PROFILE_ANSWERS).to_dict()
    assert body["overall"] is None
    assert body["profile"] == {
        "levels": [
            {"value": 1, "count": 0},
            {"value": 2, "count": 0},
            {"value": 3, "count": 1},
            {"value": 4, "count": 0},
            {"value": 5, "count": 1},
        ],
        "na": 1,
        "unanswered": 1,
    }
    assert body["domains"][1] == {
        "code": "B",
        "score": None,
        "profile": {
            "levels": [{"value": v, "count": 0} for v in (1, 2, 3, 4, 5)],
            "na": 1,
            "unanswered": 1,
        },
    }
    assert body["criteria"][0] == {"code": "A1", "value": 5, "na": False, "score": None}


def test_no_gain_on_a_profile_rubric():
    assert scoring.gain(PROFILE, PROFILE_ANSWERS, "A2") is None
    # A scored rubric: raising A2 from 3 to 5 moves A to (1 + 3) / 4 = 1, the overall from
    # 5/9 (55.6 %) to (2*1 + 1*5/12) / 3 = 29/36 (80.6 %): a gain of 29/36 - 5/9 = 1/4 = 25 points.
    assert scoring.gain(ACODE, {"A1": 5, "A2": 3, "B1": 2, "B2": 4}, "A2") == 25


# --- domain gates ---------------------------------------------------------------------------

ANSWERS = {"C1": 3, "C2": 2, "C3": "na", "C4": 1}  # C5 unanswered; 63.0 %, D2 33.3 %


def _gated(domain_gate: dict, **overrides) -> scoring.RubricSpec:
    doc = rubric_doc(**overrides)
    if doc["bands"] is None:
        del doc["bands"]
    doc["domains"][1].update(domain_gate)
    return scoring.spec_from_document(normalised(doc))


def test_a_failing_gate_fails_an_otherwise_passing_assessment():
    bands = [
        {"min": 0, "label": "Low"},
        {"min": 50, "label": "Middle", "requires_pass": True},
        {"min": 80, "label": "High", "requires_pass": True},
    ]
    ungated = scoring.score(_gated({}, bands=bands), ANSWERS)
    assert ungated.passed is True and ungated.band.label == "Middle"
    # D2 = 1/3 = 33.3 % < 50: the pass rule (60 %, reached with 63.0 %) now fails, and the
    # band drops to the highest one that does not need a pass.
    result = scoring.score(_gated({"min_score": 50}, bands=bands), ANSWERS)
    assert result.score == F(1700, 27)
    assert result.passed is False
    assert result.failed_domains == ("D2",)
    assert result.failed_critical == ()
    assert result.band.label == "Low"
    assert result.to_dict()["overall"]["failed_domains"] == ["D2"]


def test_a_gate_at_the_domain_score_is_met():
    # D2 = 33.333… %: a gate at 33 is met, one at 33.4 is not (the unrounded score decides).
    assert scoring.score(_gated({"min_score": 33}), ANSWERS).failed_domains == ()
    assert scoring.score(_gated({"min_score": 33.4}), ANSWERS).failed_domains == ("D2",)


def test_an_unscored_gated_domain_fails():
    result = scoring.score(_gated({"min_score": 0}), {"C1": 3, "C2": 3})
    assert result.domains[1].score is None
    assert result.failed_domains == ("D2",) and result.passed is False


def test_a_points_gate():
    points_pass = {"min_points": 6, "critical_min_value": 2}
    spec = _gated({"min_points": 2}, aggregate="criteria", bands=None, **{"pass": points_pass})
    # D2 points = 1*1 (C4) = 1 < 2; overall points 1*3 + 2*2 + 1*1 = 8 ≥ 6.
    low = scoring.score(spec, ANSWERS)
    assert low.domains[1].points == 1
    assert (low.passed, low.failed_domains) == (False, ("D2",))
    # C5 (w3) at 1: D2 = 1 + 3 = 4 ≥ 2.
    high = scoring.score(spec, {**ANSWERS, "C5": 1})
    assert (high.passed, high.failed_domains) == (True, ())
