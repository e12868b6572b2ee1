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
        text = self.read_text(file, max_chars=CSV_MAX_CHARS)
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
