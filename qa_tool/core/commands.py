"""The one way import commands report a refusal: every problem on its own line, then a count."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from .refusals import Refusal


class ImportCommand(BaseCommand):
    """Base of the import commands: ``refuse`` prints each problem and stops with status 1."""

    nothing_done = "nothing was changed"

    def refuse(self, refusal: Refusal, *, source: str = "") -> CommandError:
        for item in refusal.problems:
            self.stderr.write(item.at(source) if source else item)
        return CommandError(f"{len(refusal.problems)} problem(s) found; {self.nothing_done}.")
