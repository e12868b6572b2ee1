from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qa_tool.core.commands import ImportCommand
from reports.workbook import (
    WorkbookError,
    check_file_name,
    import_workbook,
    max_upload_bytes,
)


class Command(ImportCommand):
    help = (
        "Check a filled-in workbook and apply its answers to the draft it was downloaded for, "
        "all or nothing, as USERNAME (who must be allowed to change it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xlsx")
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help="the quality officer recorded in the audit trail; their rights are checked",
        )
        parser.add_argument(
            "--submit",
            action="store_true",
            help="then submit the assessment for review; if that is refused, nothing is applied",
        )

    def handle(self, *args, file, user, submit=False, **options):
        person = get_user_model().objects.filter(username=user).first()
        if person is None or not person.is_active:
            raise CommandError(_("no active user %(user)s") % {"user": user})
        reason = check_file_name(Path(file).name)
        if reason:
            raise CommandError(reason)
        path = Path(file)
        try:
            size = path.stat().st_size
            limit = max_upload_bytes()
            # Never read more than the limit (and one byte to notice it is exceeded).
            with path.open("rb") as handle:
                data = handle.read(min(size, limit) + 1)
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot read (%(reason)s)") % {"file": file, "reason": exc.strerror}
            ) from None
        try:
            changed = import_workbook(data=data, user=person, source="workbook", submit=submit)
        except WorkbookError as exc:
            raise self.refuse(exc, source=file) from None
        self.stdout.write(
            ngettext("%(count)s criterion updated", "%(count)s criteria updated", changed)
            % {"count": changed}
        )
        if submit:
            self.stdout.write(_("The assessment was submitted for review."))
