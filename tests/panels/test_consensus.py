"""The consensus rules and agreement figures on hand-computed cases (pure core)."""

from fractions import Fraction as F

import pytest

from qa_tool.panels.consensus import (
    MAJORITY,
    MEDIAN,
    MINIMUM,
    NA,
    consensus,
    disagreement,
    ordinal_alpha,
    percent_agreement,
)

SCALE = [F(0), F(1), F(2), F(3)]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ([F(2), F(2), F(3)], F(2)),  # plain majority
        ([F(1), F(3)], F(1)),  # tie: the lower level
        ([F(3), F(1), F(1), F(3), F(2)], F(1)),  # two-way tie among five
        ([NA, NA, F(2)], NA),  # N/A is a choice and can win
        ([NA, F(2)], F(2)),  # a level wins a tie against N/A
        ([NA, NA, F(1), F(1), F(3)], F(1)),  # tie between N/A and a level: the level
        ([F(0)], F(0)),
        ([], None),  # nobody answered
    ],
)
def test_majority(choices, expected):
    assert consensus(choices, MAJORITY) is expected or consensus(choices, MAJORITY) == expected


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ([F(0), F(2), F(3)], F(2)),  # odd count: the middle
        ([F(0), F(1), F(2), F(3)], F(1)),  # even count: the lower median
        ([F(3), F(3), F(0), F(0)], F(0)),
        ([NA, NA, F(3)], NA),  # more than half N/A
        ([NA, F(1), F(3)], F(1)),  # N/A a minority: the lower median of the levels
        ([NA, NA, F(1), F(3)], F(1)),  # exactly half N/A is not more than half
        ([], None),
    ],
)
def test_median(choices, expected):
    assert consensus(choices, MEDIAN) is expected or consensus(choices, MEDIAN) == expected


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ([F(3), F(1), F(2)], F(1)),
        ([NA, F(2), F(3)], F(2)),  # N/A only when everyone chose it
        ([NA, NA], NA),
        ([], None),
    ],
)
def test_minimum(choices, expected):
    assert consensus(choices, MINIMUM) is expected or consensus(choices, MINIMUM) == expected


def test_unknown_rule():
    with pytest.raises(ValueError):
        consensus([F(1)], "mode")


def test_disagreement_figures():
    figures = disagreement([F(1), F(3), F(3), NA], MAJORITY)
    assert figures.consensus == F(3)
    assert figures.raters == 4
    assert figures.at_consensus == 2
    assert figures.agreement == F(1, 2)
    assert (figures.lowest, figures.highest, figures.spread) == (F(1), F(3), F(2))
    assert figures.na_count == 1
    na = disagreement([NA, NA, F(2)], MAJORITY)
    assert na.consensus is NA and na.agreement == F(2, 3)
    assert disagreement([], MAJORITY).agreement is None


def test_percent_agreement_pools_every_rating():
    rows = [disagreement([F(1), F(1), F(2)]), disagreement([F(3), F(3), F(3)])]
    assert percent_agreement(rows) == F(5, 6)
    assert percent_agreement([]) is None


def test_alpha_perfect_and_undefined():
    table = [{"A": F(0), "B": F(3)}, {"A": F(0), "B": F(3)}]
    assert ordinal_alpha(table, ["A", "B"], SCALE) == pytest.approx(1.0)
    # One rater, no pairable unit, or no variation at all: undefined.
    assert ordinal_alpha(table[:1], ["A", "B"], SCALE) is None
    assert ordinal_alpha([{"A": F(1)}, {"B": F(1)}], ["A", "B"], SCALE) is None
    assert ordinal_alpha([{"A": F(1)}, {"A": F(1)}], ["A"], SCALE) is None


def test_alpha_matches_a_hand_computed_case():
    # Two raters, three units: (0,0), (1,2), (3,3). Ordinal alpha by Krippendorff's
    # formulas: values 0:2, 1:1, 2:1, 3:2 (n=6); observed disagreement only in the
    # (1,2) pair, delta(1,2) = (1/2 + 1/2)^2 = 1.
    table = [{"A": F(0), "B": F(1), "C": F(3)}, {"A": F(0), "B": F(2), "C": F(3)}]
    alpha = ordinal_alpha(table, ["A", "B", "C"], SCALE)
    # D_o = 2*1/6 = 1/3; D_e = sum over pairs n_c n_k delta / (n(n-1)) with
    # delta(0,1)=(2/2+1/2)^2=2.25, delta(0,2)=(1+1+1/2)^2=6.25, delta(0,3)=(1+1+1+1)^2=16,
    # delta(1,2)=1, delta(1,3)=(1/2+1+1)^2=6.25, delta(2,3)=(1/2+1)^2=2.25;
    # D_e = 2*(2*1*2.25 + 2*1*6.25 + 2*2*16 + 1*1*1 + 1*2*6.25 + 1*2*2.25) / 30 = 198/30.
    expected = 1 - (F(1, 3) / F(198, 30))  # 94/99
    assert alpha == pytest.approx(float(expected), abs=1e-9)
    # N/A is missing for alpha.
    with_na = [{"A": F(0), "B": NA}, {"A": F(0), "B": F(2)}]
    assert ordinal_alpha(with_na, ["A", "B"], SCALE) is None
