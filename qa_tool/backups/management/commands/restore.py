from pathlib import Path

from django.utils.translation import gettext as _

from qa_tool.backups.archive import restore_backup
from qa_tool.core.commands import ImportCommand
from qa_tool.core.refusals import Refusal


class Command(ImportCommand):
    help = "Restore a backup folder into an empty, migrated database and its private files."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by the backup command")

    def handle(self, *args, folder, **options):
        try:
            summary = restore_backup(Path(folder))
        except Refusal as refusal:
            raise self.refuse(refusal) from None
        self.stdout.write(
            _("Restored from %(folder)s: %(objects)s records, %(files)s files.")
            % {"folder": folder, "objects": summary.objects, "files": summary.files}
        )
