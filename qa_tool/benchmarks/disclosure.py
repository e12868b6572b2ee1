"""Which peer groups may be shown together without disclosing small sets. Pure: no Django.

Each shown group publishes its count and mean, hence its total. Adding and
subtracting the totals of several groups gives the total of another set of
institutions: "all" minus "same region" is everyone outside the region, for
example. A collection of groups is safe when no combination with coefficients
+1, 0 or -1 (every inclusion-exclusion of the groups) isolates a non-empty set of
fewer than ``minimum`` institutions.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache
from itertools import product


def smallest_disclosure(
    groups: Sequence[frozenset[Hashable]], minimum: int
) -> tuple[tuple[int, ...], frozenset[Hashable]] | None:
    """A combination of the groups (coefficients in -1, 0, 1) whose result is carried by
    fewer than ``minimum`` institutions, with those institutions; None when there is none.
    """
    members = frozenset().union(*groups) if groups else frozenset()
    # Institutions in exactly the same groups are indistinguishable: count them together.
    atoms: dict[tuple[bool, ...], int] = {}
    for member in members:
        signature = tuple(member in group for group in groups)
        atoms[signature] = atoms.get(signature, 0) + 1
    worst = _worst(tuple(sorted(atoms.items())), len(groups), minimum)
    if worst is None:
        return None
    coefficients, carried = worst
    disclosed = frozenset(m for m in members if tuple(m in group for group in groups) in carried)
    return coefficients, disclosed


@lru_cache(maxsize=16)
def _combinations(size: int) -> list[tuple[tuple[int, ...], int, int]]:
    """Every non-zero combination of ``size`` groups, in ``product`` order, with the masks
    of its +1 and -1 groups."""
    return [
        (
            coefficients,
            sum(1 << i for i, c in enumerate(coefficients) if c == 1),
            sum(1 << i for i, c in enumerate(coefficients) if c == -1),
        )
        for coefficients in product((-1, 0, 1), repeat=size)
        if any(coefficients)
    ]


@lru_cache(maxsize=4096)
def _worst(
    atoms: tuple[tuple[tuple[bool, ...], int], ...], size: int, minimum: int
) -> tuple[tuple[int, ...], frozenset[tuple[bool, ...]]] | None:
    """The first smallest disclosing combination over the atoms (signature, count).

    Depends on the counts only, not on who the institutions are: publishing a release
    checks thousands of viewers whose groups have the same shape, and this search over
    3^groups combinations is the costly part.
    """
    # Signatures and coefficients as bit masks: a member's coefficient sum is the number
    # of its groups counted +1 less the number counted -1.
    masks = [
        (sum(1 << i for i, inside in enumerate(signature) if inside), count, signature)
        for signature, count in atoms
    ]
    worst = None
    for coefficients, plus, minus in _combinations(size):
        carried = []
        total = 0
        for mask, count, signature in masks:
            if (mask & plus).bit_count() != (mask & minus).bit_count():
                carried.append(signature)
                total += count
        if 0 < total < minimum and (worst is None or total < worst[0]):
            worst = (total, coefficients, frozenset(carried))
    if worst is None:
        return None
    return worst[1], worst[2]


# --- which statistics of one figure institution users may see --------------------------------

#: Statistics of a peer figure, as named in ``statistics.Summary`` plus the percentile rank.
STATISTICS = ("n", "mean", "median", "p25", "p75", "min", "max", "rank")

#: Below this many values a quartile or median is, for several n, exactly one
#: institution's score (an odd n's median is the middle value; PERCENTILE.INC's
#: quartiles fall on a value whenever n - 1 is a multiple of 4), and with so few values
#: it is close to identifying whose. The customary floor for order statistics is ~10.
QUANTILE_MINIMUM = 10


def disclosable(n: int, minimum: int, quantile_minimum: int = QUANTILE_MINIMUM) -> frozenset[str]:
    """The statistics of a figure over ``n`` peers that institution users may see.

    Nothing below ``minimum`` values: the figure is withheld, count included. From
    ``minimum`` up: n, mean and the viewer's own percentile rank, none of which is any
    one peer's score. Median and quartiles only from ``max(quantile_minimum, minimum)``
    up. Minimum and maximum never: each is one institution's score.
    """
    if n < minimum:
        return frozenset()
    shown = {"n", "mean", "rank"}
    if n >= max(quantile_minimum, minimum):
        shown |= {"median", "p25", "p75"}
    return frozenset(shown)
