"""Management commands in the operator's language, and the one way import commands report
a refusal: every problem on its own line, then a count.

Every command of the project derives from ``TranslatedCommand``: its printed messages are
translatable and come out in ``settings.LANGUAGE_CODE``, or in the language of ``--lang``
(a command that already has ``--lang`` for its output, such as ``export_report``, prints
its messages in that language too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .refusals import Refusal


class TranslatedCommand(BaseCommand):
    """A command whose messages are in ``--lang`` (default ``settings.LANGUAGE_CODE``)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if not any("--lang" in action.option_strings for action in parser._actions):
            parser.add_argument(
                "--lang",
                choices=[code for code, _name in settings.LANGUAGES],
                default=None,
                help=f"language of the messages (default: {settings.LANGUAGE_CODE})",
            )
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(options.get("lang") or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)


class ImportCommand(TranslatedCommand):
    """Base of the import commands: ``refuse`` prints each problem and stops with status 1."""

    nothing_done = gettext_lazy("nothing was changed")

    def refuse(self, refusal: Refusal, *, source: str = "") -> CommandError:
        for item in refusal.problems:
            self.stderr.write(item.at(source) if source else item)
        count = len(refusal.problems)
        return CommandError(
            ngettext(
                "%(count)s problem found; %(nothing_done)s.",
                "%(count)s problems found; %(nothing_done)s.",
                count,
            )
            % {"count": count, "nothing_done": self.nothing_done}
        )

    @staticmethod
    def read_text(file: str, *, max_chars: int) -> str:
        """A UTF-8 text file, read no further than ``max_chars`` allows (at most four bytes a
        character): a longer file is refused by the importer without being read whole."""
        try:
            with Path(file).open("rb") as source:
                data = source.read(max_chars * 4 + 1)
            return data.decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot read (%(reason)s)") % {"file": file, "reason": exc.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                _("%(file)s: not UTF-8 text; save the CSV as UTF-8") % {"file": file}
            ) from None
