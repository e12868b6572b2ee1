"""Opening a cycle (the first-run page; later cycles too)."""

from __future__ import annotations

from django.db import transaction

from ..models import Cycle


@transaction.atomic
def cycle_open(*, name: str) -> Cycle:
    """A new open cycle, or the existing one of that name opened again."""
    cycle, created = Cycle.objects.get_or_create(name=name, defaults={"is_open": True})
    if not created and not cycle.is_open:
        cycle.is_open = True
        cycle.save(update_fields=["is_open"])
    return cycle
