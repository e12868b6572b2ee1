import json
from pathlib import Path

from django.core.management.base import BaseCommand

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.assessments.portable import assessment_export


class Command(BaseCommand):
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
        self.stdout.write(f"assessment {assessment_id} written to {output}")
