"""Benchmark statistics: worked examples and properties. Pure: no database."""

from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_tool.benchmarks.statistics import (
    Summary,
    exact,
    percentile,
    percentile_rank,
    summarise,
    summarise_millionths,
    summarise_with_rank,
)

ODD = [40, 55, 60, 70, 90]
EVEN = [10, 20, 30, 40]


def test_worked_example_odd():
    # n = 5, so h = 4 * p / 100 lands on a rank for every quartile:
    # p25: h = 1 -> x[1] = 55; p50: h = 2 -> x[2] = 60; p75: h = 3 -> x[3] = 70
    # mean = (40 + 55 + 60 + 70 + 90) / 5 = 315 / 5 = 63
    assert summarise(ODD) == Summary(n=5, mean=63, median=60, p25=55, p75=70, min=40, max=90)


def test_worked_example_even_interpolates():
    # n = 4, so h = 3 * p / 100:
    # p25: h = 0.75 -> 10 + 0.75 * (20 - 10) = 17.5
    # p50: h = 1.5  -> 20 + 0.5 * (30 - 20) = 25
    # p75: h = 2.25 -> 30 + 0.25 * (40 - 30) = 32.5
    s = summarise(EVEN)
    assert (s.p25, s.median, s.p75) == (F(35, 2), 25, F(65, 2))
    assert s.mean == 25
    # p10: h = 0.3 -> 10 + 0.3 * 10 = 13; p90: h = 2.7 -> 30 + 0.7 * 10 = 37
    assert percentile(EVEN, 10) == 13
    assert percentile(EVEN, 90) == 37


def test_results_are_fractions():
    s = summarise([1, 2])
    for value in (s.mean, s.median, s.p25, s.p75, s.min, s.max):
        assert type(value) is F
    # 1/3 stays 1/3: mean of 0, 0, 1
    assert summarise([0, 0, 1]).mean == F(1, 3)


def test_ends_are_min_and_max():
    assert percentile(ODD, 0) == 40
    assert percentile(ODD, 100) == 90


def test_single_value():
    assert summarise([72]) == Summary(n=1, mean=72, median=72, p25=72, p75=72, min=72, max=72)
    for p in (0, 1, 33, 50, 99.9, 100):
        assert percentile([72], p) == 72
    assert percentile_rank([72], 72) == 50


def test_empty():
    assert summarise([]) == Summary(
        n=0, mean=None, median=None, p25=None, p75=None, min=None, max=None
    )
    assert percentile([], 50) is None
    assert percentile_rank([], 50) is None


def test_unsorted_input_and_iterators():
    shuffled = [70, 40, 90, 60, 55]
    assert summarise(shuffled) == summarise(ODD)
    assert percentile(iter(shuffled), 25) == 55
    assert percentile_rank(iter(shuffled), 60) == 50


def test_percentile_out_of_range():
    with pytest.raises(ValueError):
        percentile(ODD, -1)
    with pytest.raises(ValueError):
        percentile(ODD, F(1001, 10))


def test_percentile_rank_mid_rank_and_ties():
    group = [10, 20, 20, 20, 30]
    # 20: 1 below, 3 equal -> (1 + 3/2) / 5 = 50%
    assert percentile_rank(group, 20) == 50
    # 10: 0 below, 1 equal -> (0 + 1/2) / 5 = 10%
    assert percentile_rank(group, 10) == 10
    # 30: 4 below, 1 equal -> (4 + 1/2) / 5 = 90%
    assert percentile_rank(group, 30) == 90
    # 25 is not in the group: 4 below, none equal -> 80%
    assert percentile_rank(group, 25) == 80
    assert percentile_rank(group, 5) == 0
    assert percentile_rank(group, 35) == 100
    # everybody tied
    assert percentile_rank([60, 60, 60], 60) == 50
    # 1 below, 1 equal of 3 -> (1 + 1/2) / 3 = 50%; of 4 with two equal -> (1 + 1) / 4
    assert percentile_rank([1, 2, 3], 2) == 50
    assert percentile_rank([1, 2, 2, 3], 2) == 50
    assert percentile_rank([1, 2, 3, 4], 2) == F(75, 2)


def test_floats_and_decimals_are_exact():
    assert exact(0.1) == F(1, 10)
    assert exact(Decimal("62.35")) == F(1247, 20)
    # the float 0.1 + 0.2 is 0.30000000000000004, and that is what it means
    assert exact(0.1 + 0.2) == F(30000000000000004, 10**17)
    # binary floats would give (0.1 + 0.2) / 2 == 0.15000000000000002 here
    assert summarise([0.1, 0.2]).mean == F(3, 20)
    assert summarise([Decimal("0.1"), F(1, 5), 0.3]).median == F(1, 5)
    assert percentile([0.1, 0.2], 50) == F(3, 20)
    assert percentile([10, 20], 12.5) == F(45, 4)
    assert percentile_rank([0.1, 0.2, 0.3], Decimal("0.2")) == 50


def test_bad_numbers():
    with pytest.raises(TypeError):
        exact(True)
    with pytest.raises(TypeError):
        summarise([1, None])
    with pytest.raises(TypeError):
        exact("12")
    with pytest.raises(ValueError):
        exact(float("nan"))
    with pytest.raises(ValueError):
        exact(Decimal("Infinity"))


# --- properties --------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False),
)
groups = st.lists(numbers, min_size=1, max_size=30)
ps = st.fractions(min_value=0, max_value=100, max_denominator=1000)


@given(groups)
def test_summary_is_ordered(values):
    s = summarise(values)
    assert s.n == len(values)
    assert s.min <= s.p25 <= s.median <= s.p75 <= s.max
    assert s.min <= s.mean <= s.max
    assert s.min == min(exact(v) for v in values)
    assert s.max == max(exact(v) for v in values)


@given(groups, ps, ps)
def test_percentile_is_monotone_in_p(values, p, q):
    low, high = sorted((p, q))
    assert percentile(values, low) <= percentile(values, high)


@given(groups, ps)
def test_percentile_ignores_order(values, p):
    assert percentile(values, p) == percentile(list(reversed(values)), p)


@given(groups, numbers)
def test_percentile_rank_within_bounds(values, x):
    rank = percentile_rank(values, x)
    assert 0 <= rank <= 100


@given(groups)
def test_percentile_rank_of_members_is_strictly_inside(values):
    # a member is at least half of itself above 0 and below 100
    for value in values:
        assert 0 < percentile_rank(values, value) < 100


@given(groups, numbers, numbers)
def test_percentile_rank_is_monotone_in_x(values, x, y):
    low, high = sorted((exact(x), exact(y)))
    assert percentile_rank(values, low) <= percentile_rank(values, high)


# --- the integer path agrees with the plain definitions ----------------------------------

stored_scores = st.lists(
    st.decimals(min_value=0, max_value=100, places=6, allow_nan=False), min_size=1, max_size=40
)


def reference_summary(values):
    """The definitions, written plainly over sorted Fractions."""
    ordered = sorted(exact(v) for v in values)
    n = len(ordered)

    def pct(p):
        h = (n - 1) * F(p) / 100
        lower = int(h)
        if lower + 1 >= n:
            return ordered[lower]
        return ordered[lower] + (h - lower) * (ordered[lower + 1] - ordered[lower])

    return Summary(
        n=n,
        mean=sum(ordered, F(0)) / n,
        median=pct(50),
        p25=pct(25),
        p75=pct(75),
        min=ordered[0],
        max=ordered[-1],
    )


def reference_rank(values, x):
    group = [exact(v) for v in values]
    x = exact(x)
    below = sum(1 for v in group if v < x)
    equal = sum(1 for v in group if v == x)
    return 100 * (below + F(equal, 2)) / len(group)


@given(st.one_of(stored_scores, groups), numbers)
def test_fast_paths_equal_the_definitions(values, x):
    summary, rank = summarise_with_rank(values, x)
    assert summary == summarise(values) == reference_summary(values)
    assert rank == percentile_rank(values, x) == reference_rank(values, x)
    assert all(isinstance(v, F) for v in (summary.mean, summary.median, summary.min, rank))


def test_six_decimal_scores_and_a_rank_between_them():
    values = [Decimal("66.666667"), Decimal("33.333333"), Decimal("50"), Decimal("50")]
    summary, rank = summarise_with_rank(values, F(1, 3) * 150)  # 50: two equal, one below
    assert summary.mean == F(200, 4) and summary.min == F(33333333, 1000000)
    assert summary.median == 50 and rank == 50
    assert summarise_with_rank(values, None)[1] is None
    assert summarise_with_rank([], 3) == (summarise([]), None)


@given(st.lists(st.integers(min_value=0, max_value=100_000_000), min_size=1, max_size=60))
def test_summarising_stored_millionths_equals_the_definitions(millionths):
    """The comparison reads stored scores as integer millionths: the same summary."""
    scores = [F(m, 1_000_000) for m in millionths]
    assert summarise_millionths(millionths) == summarise(scores) == reference_summary(scores)


def test_millionths_worked_example():
    # 10, 20, 30, 40.000001: mean 25.00000025, p25 = 17.5, p75 = 32.50000025.
    summary = summarise_millionths([40_000_001, 10_000_000, 30_000_000, 20_000_000])
    assert (summary.n, summary.mean, summary.median) == (4, F("25.00000025"), 25)
    assert (summary.p25, summary.p75, summary.max) == (F("17.5"), F("32.50000025"), F("40.000001"))
    assert summarise_millionths([]) == summarise([])
