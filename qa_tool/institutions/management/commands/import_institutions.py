from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qa_tool.core.commands import ImportCommand
from qa_tool.institutions.services import (
    CSV_MAX_CHARS,
    InstitutionImportError,
    institutions_import,
)


class Command(ImportCommand):
    help = (
        "Create or update institutions by code from a CSV file with the columns "
        "code,name,country,region,type,size (and optionally delivery_mode). All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")

    def handle(self, *args, file, **options):
        try:
            # At most four bytes a character: a longer file is refused without reading it all.
            with Path(file).open("rb") as source:
                data = source.read(CSV_MAX_CHARS * 4 + 1)
            text = data.decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot read (%(reason)s)") % {"file": file, "reason": exc.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                _("%(file)s: not UTF-8 text; save the CSV as UTF-8") % {"file": file}
            ) from None
        try:
            summary = institutions_import(text=text)
        except InstitutionImportError as exc:
            raise self.refuse(exc, source=file) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            }
        )
