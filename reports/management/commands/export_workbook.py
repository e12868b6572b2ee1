from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.core.commands import TranslatedCommand
from reports.workbook import export_workbook


class Command(TranslatedCommand):
    help = (
        "Write an assessment's offline fill-in workbook (.xlsx), with the current answers "
        "or blank; upload it back with import_workbook or on the assessment's page."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ASSESSMENT_ID")
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        parser.add_argument("--blank", action="store_true", help="leave the answer cells empty")
        languages = [code for code, _name in settings.LANGUAGES]
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            choices=languages,
            help="language of the headers, level labels and rubric texts (default: %(default)s)",
        )

    def handle(self, *args, assessment_id, output, blank, lang, **options):
        assessment = assessment_for_operator(assessment_id)
        data = export_workbook(assessment=assessment, prefilled=not blank, language=lang)
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot write (%(reason)s)") % {"file": output, "reason": exc.strerror}
            ) from None
        if blank:
            message = _("assessment %(id)s: blank workbook written to %(path)s")
        else:
            message = _("assessment %(id)s: workbook written to %(path)s")
        self.stdout.write(message % {"id": assessment_id, "path": output})
