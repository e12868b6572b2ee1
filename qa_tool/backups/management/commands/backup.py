from pathlib import Path

from django.utils.translation import gettext as _

from qa_tool.backups.archive import write_backup
from qa_tool.core.commands import ImportCommand
from qa_tool.core.refusals import Refusal


class Command(ImportCommand):
    help = "Write the database's content and the private files into a new backup folder."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="a new or empty folder")

    def handle(self, *args, output, **options):
        try:
            summary = write_backup(Path(output))
        except Refusal as refusal:
            raise self.refuse(refusal) from None
        self.stdout.write(
            _("Backup written to %(folder)s: %(objects)s records, %(files)s files.")
            % {"folder": output, "objects": summary.objects, "files": summary.files}
        )
