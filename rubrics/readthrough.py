"""How much of a target framework an assessment's answers cover through a crosswalk (pure).

The definition, in one place (the README's "Crosswalks" section says the same):

- A source criterion is *answered* when it has a level (the headline level: the validated
  one for a validated assessment). N/A and unanswered criteria are no evidence.
- A link is *full evidence* when its strength is ``full`` and every one of its source
  criteria is answered; it is *partial evidence* when at least one of its source criteria
  is answered and it is not full evidence (a ``partial`` link, or a ``full`` link with some
  of its source criteria unanswered). Otherwise it is no evidence.
- A target criterion is *fully covered* when at least one link to it is full evidence,
  *partially covered* when none is but at least one is partial evidence, and *without
  evidence* otherwise (including target criteria that no link reaches).
- Full % = 100 * fully covered / all target criteria; partial % = 100 * partially covered /
  all target criteria; covered % = full % + partial %. Each target criterion counts once.
  Exact fractions; rounding only for display.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

FULL = "full"
PARTIAL = "partial"
NONE = "none"


@dataclass(frozen=True)
class Link:
    sources: tuple[str, ...]
    target: str
    strength: str  # "full" or "partial"


def link_evidence(link: Link, answered: Collection[str]) -> str:
    """``full``, ``partial`` or ``none``: what this link's answered sources give its target."""
    given = [code in answered for code in link.sources]
    if not any(given):
        return NONE
    if link.strength == FULL and all(given):
        return FULL
    return PARTIAL


@dataclass(frozen=True)
class Coverage:
    total: int
    status: dict[str, str]  # target code -> full, partial or none, in target order

    def _codes(self, kind: str) -> list[str]:
        return [code for code, status in self.status.items() if status == kind]

    @property
    def full(self) -> list[str]:
        return self._codes(FULL)

    @property
    def partial(self) -> list[str]:
        return self._codes(PARTIAL)

    @property
    def without_evidence(self) -> list[str]:
        return self._codes(NONE)

    def _percent(self, count: int) -> Fraction | None:
        return None if not self.total else Fraction(100 * count, self.total)

    @property
    def full_percent(self) -> Fraction | None:
        return self._percent(len(self.full))

    @property
    def partial_percent(self) -> Fraction | None:
        return self._percent(len(self.partial))

    @property
    def covered_percent(self) -> Fraction | None:
        return self._percent(len(self.full) + len(self.partial))


def coverage(
    target_codes: Sequence[str], links: Iterable[Link], answered: Collection[str]
) -> Coverage:
    """The coverage of the target criteria ``target_codes`` by ``links`` given the answered
    source criteria (see the module's definition)."""
    rank = {NONE: 0, PARTIAL: 1, FULL: 2}
    status = dict.fromkeys(target_codes, NONE)
    for link in links:
        if link.target not in status:
            continue
        evidence = link_evidence(link, answered)
        if rank[evidence] > rank[status[link.target]]:
            status[link.target] = evidence
    return Coverage(total=len(status), status=status)
