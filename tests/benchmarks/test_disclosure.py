"""Which groups can be shown together: no inclusion-exclusion isolates a small set."""

from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from qa_tool.benchmarks.disclosure import smallest_disclosure


def test_nested_groups_differing_by_few():
    everyone = frozenset(range(10))
    region = frozenset(range(8))
    coefficients, disclosed = smallest_disclosure([everyone, region], 5)
    assert coefficients in ((1, -1), (-1, 1)) and disclosed == {8, 9}


def test_nested_groups_differing_by_enough_are_safe():
    assert smallest_disclosure([frozenset(range(12)), frozenset(range(6))], 5) is None


def test_three_overlapping_groups_leak_what_no_pair_does():
    # all = 1..13; region = 1..6; type = 6..11. Every pair is safe, but
    # all - region - type = {12, 13} - {6}: three institutions.
    everyone, region, kind = (
        frozenset(range(1, 14)),
        frozenset(range(1, 7)),
        frozenset(range(6, 12)),
    )
    assert smallest_disclosure([everyone, region], 5) is None
    assert smallest_disclosure([everyone, kind], 5) is None
    _coefficients, disclosed = smallest_disclosure([everyone, region, kind], 5)
    assert disclosed == {6, 12, 13}


def test_a_single_small_group_is_itself_a_disclosure():
    coefficients, disclosed = smallest_disclosure([frozenset({1, 2, 3})], 5)
    assert coefficients in ((1,), (-1,)) and disclosed == {1, 2, 3}


@given(
    st.lists(st.frozensets(st.integers(0, 15), min_size=1), min_size=1, max_size=4),
    st.integers(2, 6),
)
def test_when_nothing_is_reported_no_combination_is_small(groups, minimum):
    if smallest_disclosure(groups, minimum) is not None:
        return
    members = frozenset().union(*groups)
    for coefficients in product((-1, 0, 1), repeat=len(groups)):
        carried = [
            m
            for m in members
            if sum(c for c, g in zip(coefficients, groups, strict=True) if m in g)
        ]
        assert not (0 < len(carried) < minimum)
