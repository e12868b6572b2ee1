"""The priority formula of action plans: worked examples and properties. Pure: no database."""

from dataclasses import replace
from fractions import Fraction as F
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from qa_tool.actions.priorities import Proposal, propose_actions
from rubrics import scoring
from rubrics.scoring import NA, Answer, CriterionSpec, DomainSpec, PassRule, RubricSpec

from ..factories import normalised, rubric_doc

DOC = normalised(rubric_doc())
SPEC = scoring.spec_from_document(DOC)
RECOMMENDATIONS = {c["code"]: c["recommendations"] for d in DOC["domains"] for c in d["criteria"]}
# The test rubric: 0..3, D1 (weight 2): C1 w1, C2 w2 critical, C3 w1 N/A allowed;
# D2 (weight 1): C4 w1, C5 w3. Pass rule: 60 % and critical criteria at 2 or more.


def propose(answers, spec=SPEC):
    return propose_actions(spec, answers, recommendations=RECOMMENDATIONS)


def test_worked_example_the_assessment_fixture():
    # C1=3 (top), C2=2, C3=N/A, C4=1, C5 unanswered.
    # Baseline: D1 = (1*3/3 + 2*2/3) / 3 = 7/9, D2 = 1/3, overall = (2*7/9 + 1/3) / 3 = 1700/27 %.
    c2, c4 = propose({"C1": 3, "C2": 2, "C3": "na", "C4": 1})
    # C2 to 3: D1 = (1 + 2) / 3 = 1, overall = (2 + 1/3) / 3 = 7/9 = 2100/27 %; gain 400/27 (14.8).
    # Critical, but 2 reaches critical_min_value 2: tier 2.
    assert c2 == Proposal(
        code="C2",
        current_value=F(2),
        target_value=F(3),
        tier=2,
        gain=F(400, 27),
        rank=1,
        recommendation={"en": "Refine C2"},
    )
    # C4 to 3: D2 = 1, overall = (2*7/9 + 1) / 3 = 23/27 = 2300/27 %; gain 600/27 = 200/9 (22.2).
    # Not critical: tier 3, so after C2 although its gain is larger. No recommendation.
    assert c4 == Proposal(
        code="C4",
        current_value=F(1),
        target_value=F(2),
        tier=3,
        gain=F(200, 9),
        rank=2,
        recommendation=None,
    )


def test_worked_example_a_critical_criterion_failing_the_pass_rule():
    # C2=1 < critical_min_value 2: tier 1. Baseline D1 = (1 + 2/3) / 3 = 5/9,
    # overall = (10/9 + 1/3) / 3 = 1300/27 %. C2 to 3: 2100/27 %, gain 800/27 (29.6).
    # C4 to 3: (10/9 + 1) / 3 = 1900/27 %, gain 600/27.
    c2, c4 = propose({"C1": 3, "C2": 1, "C3": "na", "C4": 1})
    assert (c2.code, c2.tier, c2.gain, c2.target_value, c2.rank) == ("C2", 1, F(800, 27), 2, 1)
    assert c2.recommendation == {"en": "Grow C2"}
    assert (c4.code, c4.tier, c4.gain, c4.rank) == ("C4", 3, F(600, 27), 2)


def test_worked_example_gain_orders_a_tier_by_weights():
    # C1=1, C2=3 (top), C3=N/A, C4=1, C5=1.
    # Baseline D1 = (1/3 + 2) / 3 = 7/9, D2 = (1/3 + 3/3) / 4 = 1/3, overall 1700/27 %.
    # C1 to 3: D1 = 1, overall = (2 + 1/3) / 3 = 2100/27 %: gain 400/27 (14.8).
    # C4 to 3: D2 = (1 + 1) / 4 = 1/2, overall = (14/9 + 1/2) / 3 = 1850/27 %: gain 150/27 (5.6).
    # C5 to 3: D2 = (1/3 + 3) / 4 = 5/6, overall = (14/9 + 5/6) / 3 = 2150/27 %: gain 450/27 (16.7).
    # C5 (weight 3 in a domain of weight 1) comes before C1 (weight 1 in a domain of weight 2).
    proposals = propose({"C1": 1, "C2": 3, "C3": "na", "C4": 1, "C5": 1})
    assert [(p.code, p.gain, p.tier, p.rank) for p in proposals] == [
        ("C5", F(450, 27), 3, 1),
        ("C1", F(400, 27), 3, 2),
        ("C4", F(150, 27), 3, 3),
    ]


def test_equal_gains_keep_the_rubric_order():
    # aggregate: criteria, C1 and C4 both weight 1 at 0: each would add 100 * 1 / 7.
    spec = replace(SPEC, aggregate=scoring.AGGREGATE_CRITERIA)
    proposals = propose({"C1": 0, "C2": 3, "C3": "na", "C4": 0, "C5": 3}, spec)
    assert [(p.code, p.gain) for p in proposals] == [("C1", F(100, 7)), ("C4", F(100, 7))]


def test_without_a_pass_rule_critical_means_the_top_level_as_in_scoring():
    spec = replace(SPEC, pass_rule=None)
    (c2,) = propose({"C2": 2}, spec)
    assert c2.tier == 1
    assert scoring.score(spec, {"C2": 2}).failed_critical == ("C2",)


def test_na_unanswered_and_top_levels_get_no_proposal():
    assert propose({}) == []
    assert propose({"C1": 3, "C2": 3, "C3": "na", "C4": 3, "C5": 3}) == []
    assert [p.code for p in propose({"C3": NA, "C5": Answer(value=F(0))})] == ["C5"]


# --- properties ----------------------------------------------------------------------------

weights = st.builds(F, st.integers(1, 12), st.integers(1, 4))


@st.composite
def cases(draw):
    values = draw(st.lists(st.integers(0, 10), min_size=2, max_size=5, unique=True))
    scale = tuple(F(v, draw(st.sampled_from([1, 2]))) for v in sorted(values))
    scale = tuple(sorted(set(scale)))
    if len(scale) < 2:
        scale = (F(0), F(1))
    count = iter(range(1000))
    domains = tuple(
        DomainSpec(
            code=f"D{d}",
            weight=draw(weights),
            criteria=tuple(
                CriterionSpec(
                    code=f"C{next(count)}",
                    weight=draw(weights),
                    critical=draw(st.booleans()),
                    allow_na=True,
                )
                for _ in range(draw(st.integers(1, 5)))
            ),
        )
        for d in range(draw(st.integers(1, 4)))
    )
    pass_rule = draw(
        st.one_of(
            st.none(),
            st.builds(
                PassRule, critical_min_value=st.sampled_from(scale), min_score=st.just(F(50))
            ),
        )
    )
    spec = RubricSpec(
        scale=scale,
        domains=domains,
        aggregate=draw(st.sampled_from([scoring.AGGREGATE_DOMAINS, scoring.AGGREGATE_CRITERIA])),
        pass_rule=pass_rule,
    )
    answers = {}
    for criterion in spec.criteria():
        choice = draw(st.sampled_from(["none", "na", "value", "value", "value"]))
        if choice == "na":
            answers[criterion.code] = "na"
        elif choice == "value":
            answers[criterion.code] = draw(st.sampled_from(scale))
    return spec, answers


@given(cases())
def test_proposals_cover_exactly_the_rated_criteria_below_the_top(case):
    spec, answers = case
    proposals = propose_actions(spec, answers, recommendations={})
    below = {code for code, value in answers.items() if value != "na" and value < spec.max_value}
    assert {p.code for p in proposals} == below
    assert [p.rank for p in proposals] == list(range(1, len(proposals) + 1))
    for p in proposals:
        assert p.gain > 0
        assert p.current_value == answers[p.code]
        assert p.target_value == min(v for v in spec.scale if v > p.current_value)
        raised = scoring.score(spec, {**answers, p.code: spec.max_value}).score
        assert p.gain == raised - scoring.score(spec, answers).score
        assert p.recommendation is None


@given(cases())
def test_order_is_tier_then_gain_then_rubric_order(case):
    spec, answers = case
    proposals = propose_actions(spec, answers, recommendations={})
    position = {c.code: i for i, c in enumerate(spec.criteria())}
    critical = {c.code for c in spec.criteria() if c.critical}
    failed = set(scoring.score(spec, answers).failed_critical)
    for p in proposals:
        assert p.tier == (1 if p.code in failed else 2 if p.code in critical else 3)
    for a, b in pairwise(proposals):
        assert (a.tier, -a.gain, position[a.code]) < (b.tier, -b.gain, position[b.code])
    # A critical criterion that makes the assessment fail ranks before every other one.
    failing = [p.rank for p in proposals if p.tier == 1]
    others = [p.rank for p in proposals if p.code not in critical]
    if failing and others:
        assert max(failing) < min(others)
