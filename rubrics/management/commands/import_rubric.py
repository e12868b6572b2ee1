from pathlib import Path

from django.core.management.base import CommandError

from qa_tool.core.commands import ImportCommand
from rubrics.document import RubricFileError
from rubrics.services import rubric_import


class Command(ImportCommand):
    help = "Validate and import rubric files (YAML or JSON): all of them, or none if any has a problem."

    nothing_done = "nothing was imported"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        contents = []
        for name in files:
            path = Path(name)
            try:
                contents.append((path.name, path.read_bytes()))
            except OSError as exc:
                raise CommandError(f"{name}: cannot read ({exc.strerror})") from None
        try:
            outcomes = rubric_import(files=contents)
        except RubricFileError as exc:
            raise self.refuse(exc) from None
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.source}: {outcome.slug} {outcome.version} {outcome.action}"
            )
            if outcome.warnings:
                count = len(outcome.warnings)
                self.stdout.write(f"{outcome.source}: {count} warning{'s' if count != 1 else ''}")
                for warning in outcome.warnings:
                    self.stdout.write(f"  - {warning}")
