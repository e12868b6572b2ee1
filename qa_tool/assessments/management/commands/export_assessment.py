import json
from pathlib import Path

from django.utils.translation import gettext as _

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.assessments.portable import assessment_export
from qa_tool.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = "Write an assessment to the portable JSON format read by import_assessment."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ID")
        parser.add_argument("-o", "--output", required=True, metavar="FILE.json")

    def handle(self, *args, assessment_id, output, **options):
        assessment = assessment_for_operator(assessment_id)
        Path(output).write_text(
            json.dumps(assessment_export(assessment), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        self.stdout.write(
            _("assessment %(id)s written to %(path)s") % {"id": assessment_id, "path": output}
        )
