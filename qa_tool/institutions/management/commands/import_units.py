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
        text = self.read_text(file, max_chars=CSV_MAX_CHARS)
        try:
            summary = units_import(text=text)
        except UnitImportError as exc:
            raise self.refuse(exc, source=file) from None
        self.stdout.write(
            f"{summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.links_added} programme link(s) added"
        )
