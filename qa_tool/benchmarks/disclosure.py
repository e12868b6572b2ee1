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
    worst = None
    for coefficients in product((-1, 0, 1), repeat=len(groups)):
        if not any(coefficients):
            continue
        carried = [
            signature
            for signature in atoms
            if sum(c for c, inside in zip(coefficients, signature, strict=True) if inside)
        ]
        size = sum(atoms[s] for s in carried)
        if 0 < size < minimum and (worst is None or size < worst[0]):
            worst = (size, coefficients, carried)
    if worst is None:
        return None
    _size, coefficients, carried = worst
    disclosed = frozenset(
        m for m in members if tuple(m in group for group in groups) in set(carried)
    )
    return coefficients, disclosed
