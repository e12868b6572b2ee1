from pathlib import Path

from django.core.management.base import CommandError

from qa_tool.core.commands import ImportCommand
from qa_tool.institutions.csv_reading import CSV_MAX_CHARS
from qa_tool.institutions.units import UnitImportError, units_import


class Command(ImportCommand):
    help = (
        "Create or update programmes and courses from a CSV file with the columns "
        "institution,level,code,title,parent. All rows or none; nothing is ever deleted."
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
            raise CommandError(f"{file}: cannot read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text; save the CSV as UTF-8") from None
        try:
            summary = units_import(text=text)
        except UnitImportError as exc:
            raise self.refuse(exc, source=file) from None
        self.stdout.write(
            f"{summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.links_added} programme link(s) added"
        )
