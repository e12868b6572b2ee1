"""The scoring contract: worked examples and properties. Pure: no database."""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from qa_tool.core.numbers import display
from rubrics import scoring
from rubrics.scoring import NA, Answer, Band, CriterionSpec, DomainSpec, PassRule, RubricSpec

from ..factories import normalised, rubric_doc

SPEC = scoring.spec_from_document(normalised(rubric_doc()))
ANSWERS = {"C1": 3, "C2": 2, "C3": "na", "C4": 1}  # C5 unanswered


def test_worked_example_domains():
    result = scoring.score(SPEC, ANSWERS)
    d1, d2 = result.domains
    # D1 = (1*3/3 + 2*2/3) / (1+2) = 7/9; D2 = (1*1/3) / 1 = 1/3
    assert d1.score == F(700, 9)
    assert d2.score == F(100, 3)
    # overall = (2*7/9 + 1*1/3) / 3 = 17/27
    assert result.score == F(1700, 27)
    assert display(result.score) == Decimal("63.0")
    assert result.points == 8 and result.points_possible == 12
    assert result.completion == 80
    assert result.band.label == "Middle"
    assert result.passed is True
    assert result.failed_critical == ()
    assert (d1.answered, d1.total, d2.answered, d2.total) == (3, 3, 1, 2)


def test_worked_example_to_dict():
    body = scoring.score(SPEC, ANSWERS).to_dict()
    assert body["completion"] == 80
    assert body["overall"] == {
        "score": 63.0,
        "points": 8,
        "points_possible": 12,
        "band": "Middle",
        "passed": True,
        "failed_critical": [],
        "failed_domains": [],
    }
    assert "profile" not in body
    assert body["domains"] == [{"code": "D1", "score": 77.8}, {"code": "D2", "score": 33.3}]
    assert body["criteria"][2] == {"code": "C3", "value": None, "na": True, "score": None}
    assert body["criteria"][4] == {"code": "C5", "value": None, "na": False, "score": None}
    assert body["criteria"][1] == {"code": "C2", "value": 2, "na": False, "score": 66.7}


def test_criteria_aggregate_ignores_domain_weights():
    spec = replace(SPEC, aggregate=scoring.AGGREGATE_CRITERIA)
    result = scoring.score(spec, ANSWERS)
    # (1*1 + 2*2/3 + 1*1/3) / (1+2+1) = 2/3: the same as points 8 of 12
    assert result.score == F(200, 3)
    assert result.score == 100 * result.points / result.points_possible


def test_critical_below_minimum_fails_even_with_a_high_score():
    result = scoring.score(SPEC, {"C1": 3, "C2": 1, "C3": 3, "C4": 3, "C5": 3})
    assert result.score > 60
    assert result.passed is False
    assert result.failed_critical == ("C2",)


def test_unanswered_critical_fails():
    result = scoring.score(SPEC, {"C1": 3, "C4": 3, "C5": 3})
    assert result.passed is False and result.failed_critical == ("C2",)


def test_nothing_rated_has_no_score_no_band_and_does_not_pass():
    result = scoring.score(SPEC, {"C3": "na"})
    assert result.score is None and result.band is None and result.passed is False
    assert result.domains[0].score is None and result.domains[1].score is None
    assert result.completion == 20


def test_domain_without_rated_criterion_is_left_out_of_overall():
    result = scoring.score(SPEC, {"C1": 3, "C2": 3})
    assert result.domains[1].score is None
    assert result.score == 100


def test_band_uses_unrounded_score():
    spec = replace(
        SPEC, bands=(Band("Low", 0, min_percent=F(0)), Band("High", 1, min_percent=F(2000, 27)))
    )
    # 17/27*100 = 62.96..., rounds to 63.0 but must not reach a band starting at 74.07...
    assert scoring.score(spec, ANSWERS).band.label == "Low"
    spec = replace(
        SPEC, bands=(Band("Low", 0, min_percent=F(0)), Band("High", 1, min_percent=F(63)))
    )
    assert scoring.score(spec, ANSWERS).band.label == "Low"  # 62.96 < 63 although shown as 63.0


def test_point_thresholds():
    spec = replace(
        SPEC,
        aggregate=scoring.AGGREGATE_CRITERIA,
        bands=(Band("Low", 0, min_points=F(0)), Band("Enough", 1, min_points=F(8))),
        pass_rule=PassRule(critical_min_value=F(2), min_points=F(8)),
    )
    result = scoring.score(spec, ANSWERS)
    assert result.band.label == "Enough" and result.passed is True
    result = scoring.score(spec, {**ANSWERS, "C4": 0})
    assert result.points == 7 and result.band.label == "Low" and result.passed is False


def _pass_bands(*required):
    """The test rubric's bands Low 0, Middle 50, High 80, with ``required`` requiring a pass."""
    return tuple(
        Band(label, i, min_percent=F(threshold), requires_pass=label in required)
        for i, (label, threshold) in enumerate((("Low", 0), ("Middle", 50), ("High", 80)))
    )


def test_a_failed_assessment_skips_bands_that_require_a_pass():
    # C2 (critical, minimum 2) unanswered; every other rated criterion at the top:
    # D1 = (1 + 1) / 2 = 100 %, D2 = 100 %, overall 100 %, but the pass rule fails.
    answers = {"C1": 3, "C3": 3, "C4": 3, "C5": 3}
    spec = replace(SPEC, bands=_pass_bands("Middle", "High"))
    result = scoring.score(spec, answers)
    assert result.score == 100 and result.passed is False
    assert result.band.label == "Low"
    # Only the top band requires a pass: the highest one below that does not.
    result = scoring.score(replace(SPEC, bands=_pass_bands("High")), answers)
    assert result.band.label == "Middle"


def test_a_failed_assessment_in_the_middle_band_drops_to_the_one_below():
    # C2 at 1 is below the critical minimum 2: D1 = (1 + 2*1/3 + 1) / 4 = 2/3,
    # D2 = 1, overall = (2*2/3 + 1) / 3 = 7/9 = 77.8 %: Middle, unless Middle requires a pass.
    answers = {"C1": 3, "C2": 1, "C3": 3, "C4": 3, "C5": 3}
    assert scoring.score(SPEC, answers).band.label == "Middle"
    result = scoring.score(replace(SPEC, bands=_pass_bands("Middle", "High")), answers)
    assert result.score == F(700, 9) and result.passed is False
    assert result.band.label == "Low"


def test_a_passing_assessment_keeps_a_band_that_requires_a_pass():
    result = scoring.score(replace(SPEC, bands=_pass_bands("Middle", "High")), ANSWERS)
    assert result.passed is True and result.band.label == "Middle"  # 63.0 %


def test_no_band_when_every_band_reached_requires_a_pass():
    result = scoring.score(
        replace(SPEC, bands=_pass_bands("Low", "Middle", "High")), {"C1": 3, "C4": 3}
    )
    assert result.passed is False and result.band is None


def test_requires_pass_is_read_from_the_document():
    doc = rubric_doc()
    doc["bands"][2]["requires_pass"] = True
    spec = scoring.spec_from_document(normalised(doc))
    assert [b.requires_pass for b in spec.bands] == [False, False, True]
    assert scoring.score(spec, {"C1": 3, "C3": 3, "C4": 3, "C5": 3}).band.label == "Middle"


def test_display_rounds_half_away_from_zero():
    assert display(F(125, 2 * 1000) * 1000) == Decimal("62.5")
    assert display(F(6225, 100)) == Decimal("62.3")
    assert display(F(6235, 100)) == Decimal("62.4")
    assert display(F(-6225, 100)) == Decimal("-62.3")
    assert display(F(1, 3) * 100) == Decimal("33.3")
    assert display(None) is None


def test_plain_number_is_exact():
    assert scoring.plain_number(F(15, 2)) == Decimal("7.5")
    assert scoring.plain_number(F(8)) == 8
    assert scoring.exact(1.1) == F(11, 10)


# --- properties ----------------------------------------------------------------------------

weights = st.builds(F, st.integers(1, 12), st.integers(1, 4))


@st.composite
def specs(draw):
    scale = tuple(
        sorted(set(draw(st.lists(st.integers(0, 10), min_size=2, max_size=5, unique=True))))
    )
    scale = tuple(F(v) for v in scale)
    count = iter(range(1000))
    domains = tuple(
        DomainSpec(
            code=f"D{d}",
            weight=draw(weights),
            criteria=tuple(
                CriterionSpec(code=f"C{next(count)}", weight=draw(weights), allow_na=True)
                for _ in range(draw(st.integers(1, 5)))
            ),
        )
        for d in range(draw(st.integers(1, 4)))
    )
    return RubricSpec(
        scale=scale,
        domains=domains,
        aggregate=draw(st.sampled_from([scoring.AGGREGATE_DOMAINS, scoring.AGGREGATE_CRITERIA])),
        normalise=draw(st.sampled_from([scoring.NORMALISE_MAX, scoring.NORMALISE_RANGE])),
    )


@st.composite
def specs_with_answers(draw):
    spec = draw(specs())
    answers = {}
    for criterion in spec.criteria():
        choice = draw(st.sampled_from(["none", "na", "value", "value"]))
        if choice == "na":
            answers[criterion.code] = NA
        elif choice == "value":
            answers[criterion.code] = Answer(value=draw(st.sampled_from(spec.scale)))
    return spec, answers


def _all_scores(result):
    yield result.score
    for d in result.domains:
        yield d.score
        for c in d.criteria:
            yield c.score


@given(specs_with_answers())
def test_scores_stay_within_0_and_100(case):
    spec, answers = case
    result = scoring.score(spec, answers)
    assert all(0 <= s <= 100 for s in _all_scores(result) if s is not None)
    assert 0 <= result.completion <= 100


@given(specs_with_answers(), st.data())
def test_raising_one_rating_never_lowers_its_domain_or_the_overall(case, data):
    spec, answers = case
    rated = [
        code for code, a in answers.items() if a.value is not None and a.value < spec.max_value
    ]
    if not rated:
        return
    code = data.draw(st.sampled_from(rated))
    higher = data.draw(st.sampled_from([v for v in spec.scale if v > answers[code].value]))
    before = scoring.score(spec, answers)
    after = scoring.score(spec, {**answers, code: Answer(value=higher)})
    domain_index = next(
        i for i, d in enumerate(spec.domains) if any(c.code == code for c in d.criteria)
    )
    assert after.domains[domain_index].score >= before.domains[domain_index].score
    assert after.score >= before.score
    assert after.points >= before.points


@given(specs_with_answers(), st.data())
def test_na_equals_removing_the_criterion(case, data):
    spec, answers = case
    codes = [c.code for c in spec.criteria()]
    code = data.draw(st.sampled_from(codes))
    with_na = scoring.score(spec, {**answers, code: NA})
    domains = []
    for d in spec.domains:
        kept = tuple(c for c in d.criteria if c.code != code)
        if kept:
            domains.append(replace(d, criteria=kept))
    if not domains:
        assert with_na.score is None
        return
    removed = scoring.score(replace(spec, domains=tuple(domains)), answers)
    assert with_na.score == removed.score
    assert with_na.points == removed.points and with_na.points_possible == removed.points_possible
    removed_domains = {d.code: d.score for d in removed.domains}
    for d in with_na.domains:
        assert d.score == removed_domains.get(d.code)


@given(specs_with_answers(), weights)
def test_scaling_all_weights_changes_nothing(case, factor):
    spec, answers = case
    scaled = replace(
        spec,
        domains=tuple(
            replace(
                d,
                weight=d.weight * factor,
                criteria=tuple(replace(c, weight=c.weight * factor) for c in d.criteria),
            )
            for d in spec.domains
        ),
    )
    before, after = scoring.score(spec, answers), scoring.score(scaled, answers)
    assert after.score == before.score
    assert [d.score for d in after.domains] == [d.score for d in before.domains]
    assert after.band == before.band and after.passed == before.passed


@given(specs_with_answers())
def test_closed_form_gains_equal_scoring_twice(case):
    """Every rated criterion's gain in one pass equals raising it alone and scoring again."""
    spec, answers = case
    gains = scoring.rated_gains(spec, answers)
    before = scoring.score(spec, answers).score
    rated = {code for code, answer in answers.items() if answer.value is not None}
    assert set(gains) == rated
    for code in rated:
        after = scoring.score(spec, {**answers, code: Answer(value=spec.max_value)}).score
        assert gains[code] == after - before
        assert scoring.gain(spec, answers, code) == gains[code]


def test_closed_form_gain_worked_example():
    # SPEC: D1 (weight 2) holds C1 (w1) = 3, C2 (w2) = 2 and C3 = N/A on a 0..3 scale;
    # D2 (weight 1) holds C4 (w1) = 1 and C5 (w3) unanswered. Rated weights: D1 3, D2 1;
    # scored domains weigh 2 + 1 = 3.
    # C2 to 3: 100 * 2 * 2 * (1 - 2/3) / (3 * 3) = 400/27, 14.8 points.
    # C4 to 3: 100 * 1 * 1 * (1 - 1/3) / (1 * 3) = 200/9, 22.2 points. C1 is at the top.
    gains = scoring.rated_gains(SPEC, {k: Answer.of(v) for k, v in ANSWERS.items()})
    assert gains == {"C1": 0, "C2": F(400, 27), "C4": F(200, 9)}
    # C5 is unanswered: raising it adds it to the rated set, so it is scored both ways.
    assert "C5" not in gains and scoring.gain(SPEC, ANSWERS, "C5") is not None
