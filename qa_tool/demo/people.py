"""Demo log-ins: a person is created once, and afterwards only their password is restored."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from qa_tool.institutions.models import Institution, User


class SharedPassword:
    """One password for several accounts, hashed once and checked once per stored hash.

    Hashing is slow on purpose (about half a second here) and ``make run`` seeds on every
    start; the demo password is published in the README, so a salt shared by the demo
    accounts gives nothing away.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.raw)
        return self._encoded

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


def person_ensure(
    *,
    username: str,
    role: str,
    institution: Institution | None,
    first_name: str,
    last_name: str,
    email: str,
    password: SharedPassword,
    superuser: bool = False,
) -> tuple[User, bool]:
    """The user ``username``, created with these details if missing; return (user, created).

    An existing user keeps what was changed in the admin (names, role, institution),
    but gets ``password`` back: the README promises one password for every demo log-in.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = User(
                username=User.normalize_username(username),
                email=User.objects.normalize_email(email),
                first_name=first_name,
                last_name=last_name,
                role=role,
                institution=institution,
                is_staff=superuser,
                is_superuser=superuser,
                password=password.encoded,
            )
            user.full_clean()
            user.save()
            return user, True
        # Only when it differs: a second run must leave the row as it is.
        if not password.matches(user.password):
            user.password = password.encoded
            user.save(update_fields=["password"])
        return user, False
