from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qa_tool.core.commands import ImportCommand
from rubrics.crosswalk import CrosswalkFileError
from rubrics.document import RUBRIC_FILE_MAX
from rubrics.services import crosswalk_import


class Command(ImportCommand):
    help = (
        "Validate and import a crosswalk file (YAML or JSON) linking the criteria of one "
        "imported rubric version to those of another."
    )

    nothing_done = gettext_lazy("nothing was imported")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            with path.open("rb") as source:
                # One byte over the limit is enough for the reader to refuse the file.
                content = source.read(RUBRIC_FILE_MAX + 1)
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot read (%(reason)s)") % {"file": file, "reason": exc.strerror}
            ) from None
        try:
            outcome = crosswalk_import(name=path.name, content=content)
        except CrosswalkFileError as exc:
            raise self.refuse(exc) from None
        action = {
            "created": _("created"),
            "updated": _("updated"),
            "unchanged": _("unchanged"),
        }.get(outcome.action, outcome.action)
        crosswalk = outcome.crosswalk
        self.stdout.write(
            _("%(file)s: crosswalk %(source)s → %(target)s %(action)s (%(count)s links)")
            % {
                "file": outcome.source,
                "source": crosswalk.source,
                "target": crosswalk.target,
                "action": action,
                "count": len(crosswalk.links),
            }
        )
