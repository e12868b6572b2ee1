"""``seed_demo``: load the demo (see ``qa_tool.demo``) and print its log-ins."""

import logging
from pathlib import Path

from django.test.utils import override_settings

from qa_tool.core.commands import ImportCommand
from qa_tool.core.refusals import Refusal
from qa_tool.demo import loader as demo
from qa_tool.demo.files import DATA_DIR
from qa_tool.institutions.models import Role


class Command(ImportCommand):
    help = "Load fictional demo institutions, users and assessments (idempotent)."
    nothing_done = "the demo data were not loaded"

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="a folder with institutions.csv, people.csv and assessments.yaml "
            "(default: the shipped demo)",
        )

    @staticmethod
    def _load_quietly(data_dir: Path) -> demo.Summary:
        """The demo's people are fictional: its submissions and validations mail nobody."""
        mail_log = logging.getLogger("qa_tool.assessments.notifications")
        level = mail_log.level
        mail_log.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                return demo.load(data_dir=data_dir)
        finally:
            mail_log.setLevel(level)

    def handle(self, *args, data_dir, **options):
        try:
            summary = self._load_quietly(Path(data_dir))
        except Refusal as exc:
            raise self.refuse(exc) from None
        counts = summary.institutions
        self.stdout.write(
            f"{counts.created + counts.updated + counts.unchanged} institutions "
            f"({counts.created} new, {counts.updated} updated), "
            f"{len(summary.people)} users ({summary.new_people} new), "
            f"{summary.new_assessments} new assessment(s), {summary.new_plans} new action plan(s)."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        )
        for person in summary.people:
            where = f" at {person.institution}" if person.institution else ""
            role = Role(person.role).label
            self.stdout.write(
                f"  {person.username:<10} {role}{where} ({person.first_name} {person.last_name})"
            )
