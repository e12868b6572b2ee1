"""One refusal type for every importer and service: every problem, located, nothing saved.

A ``Problem`` is a ``str`` (so messages, logs and older callers keep working) that also
carries its parts: ``where`` (a criterion code, a cell such as ``Answers!C5``, a JSON
path such as ``review.C1.value``, a line and column) and ``what`` (the message in the
user's language). Pages lay out the parts; nothing parses the text back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Problem(str):
    """One located problem: ``str(problem)`` reads "where: what" (or "what" alone)."""

    where: str
    what: str

    def __new__(cls, what: Any, where: Any = "") -> Problem:
        what, where = str(what), str(where or "")
        problem = super().__new__(cls, f"{where}: {what}" if where else what)
        problem.what, problem.where = what, where
        return problem

    def at(self, outer: str) -> Problem:
        """The same problem one level further out (e.g. a file name before a cell)."""
        return Problem(self.what, f"{outer}: {self.where}" if self.where else outer)


def problem(what: Any, where: Any = "") -> Problem:
    return Problem(what, where)


class Refusal(Exception):
    """A refused input or change, with every problem found; nothing was saved."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems: list[Problem] = [
            p if isinstance(p, Problem) else Problem(p) for p in problems
        ]
        super().__init__("\n".join(self.problems))

    def located(self, outer: str) -> Refusal:
        """The same refusal with every problem placed under ``outer`` (e.g. a file name)."""
        return type(self)([p.at(outer) for p in self.problems])
