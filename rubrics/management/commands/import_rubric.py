from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qa_tool.core.commands import ImportCommand
from rubrics.document import RubricFileError
from rubrics.services import rubric_import


class Command(ImportCommand):
    help = (
        "Validate and import rubric files (YAML, JSON or .xlsx workbooks): all of them, or "
        "none if any has a problem."
    )

    nothing_done = gettext_lazy("nothing was imported")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        contents = []
        for name in files:
            path = Path(name)
            try:
                contents.append((path.name, path.read_bytes()))
            except OSError as exc:
                raise CommandError(
                    _("%(file)s: cannot read (%(reason)s)") % {"file": name, "reason": exc.strerror}
                ) from None
        try:
            outcomes = rubric_import(files=contents)
        except RubricFileError as exc:
            raise self.refuse(exc) from None
        for outcome in outcomes:
            action = {
                "created": _("created"),
                "updated": _("updated"),
                "unchanged": _("unchanged"),
            }.get(outcome.action, outcome.action)
            self.stdout.write(
                _("%(file)s: %(slug)s %(version)s %(action)s")
                % {
                    "file": outcome.source,
                    "slug": outcome.slug,
                    "version": outcome.version,
                    "action": action,
                }
            )
            if outcome.warnings:
                count = len(outcome.warnings)
                self.stdout.write(
                    ngettext("%(file)s: %(count)s warning", "%(file)s: %(count)s warnings", count)
                    % {"file": outcome.source, "count": count}
                )
                for warning in outcome.warnings:
                    self.stdout.write(f"  - {warning}")
