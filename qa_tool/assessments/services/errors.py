"""Refusals of assessment services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from qa_tool.core.refusals import Refusal


class AssessmentError(Refusal):
    """A refused change to an assessment, with every reason; nothing was saved."""


@dataclass(frozen=True)
class Conflict:
    """Someone else (or the saver elsewhere) saved this criterion after the saver loaded it."""

    code: str
    changed_by: str
    changed_at: Any
    theirs: dict[str, Any]
    yours: dict[str, Any]
    # The saver's own account in another tab looks like "someone else" but must not be named so.
    by_saver: bool = False


class AnswerConflict(AssessmentError):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(
            [
                _("%(code)s was changed in another tab or by another person since you opened it.")
                % {"code": c.code}
                if c.by_saver
                else _("%(code)s was changed by %(user)s since you opened it.")
                % {"code": c.code, "user": c.changed_by}
                for c in conflicts
            ]
        )
