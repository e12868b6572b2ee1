"""Who is looking at peer figures: the coordinating centre or one institution's people.

Pure: no Django. The anonymity rules depend on this and on nothing else about the
viewer, so a management command or a test can name an audience without inventing a
user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Audience:
    """The coordinating centre (reviewers and administrators) sees live figures with
    named members; an institution's own people see frozen, anonymous figures."""

    is_centre: bool
    institution_id: int | None = None

    @classmethod
    def centre(cls) -> Audience:
        return cls(is_centre=True)

    @classmethod
    def institution(cls, institution_id: int | None) -> Audience:
        return cls(is_centre=False, institution_id=institution_id)

    @classmethod
    def of(cls, user: Any) -> Audience:
        """The audience of a signed-in person (anything with ``User``'s role flags).

        Anyone not of the centre gets the institution rules, even without an
        institution: a missing flag must never widen what is shown.
        """
        if getattr(user, "sees_all_institutions", False) is True:
            return cls.centre()
        return cls.institution(getattr(user, "institution_id", None))

    @property
    def anonymous(self) -> bool:
        return not self.is_centre
