from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qa_tool.assessments.lookups import assessment_for_operator
from reports.workbook import export_workbook


class Command(BaseCommand):
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
            raise CommandError(f"{output}: cannot write ({exc.strerror})") from None
        kind = "blank workbook" if blank else "workbook"
        self.stdout.write(f"assessment {assessment_id}: {kind} written to {output}")
