import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.services import AssessmentError
from qa_tool.core import bounds
from qa_tool.core.commands import ImportCommand


class Command(ImportCommand):
    help = "Create or update an assessment from a portable JSON file and print its id."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json")

    def handle(self, *args, file, **options):
        try:
            # Bounded: a 1,000-deep file, NaN or a 5,000-digit number is a refusal, not a traceback.
            data = bounds.json_loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot read (%(reason)s)") % {"file": file, "reason": exc.strerror}
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("%(file)s: not valid JSON (%(reason)s)") % {"file": file, "reason": exc}
            ) from None
        except bounds.BoundError as exc:
            raise CommandError(f"{file}: {exc}") from None
        try:
            assessment = assessment_import(data=data, source="file")
        except AssessmentError as exc:
            raise self.refuse(exc, source=file) from None
        self.stdout.write(str(assessment.pk))
