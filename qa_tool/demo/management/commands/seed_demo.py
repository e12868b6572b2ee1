"""``seed_demo``: load the demo (see ``qa_tool.demo``) and print its log-ins."""

import logging
from pathlib import Path

from django.test.utils import override_settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qa_tool.core.commands import ImportCommand
from qa_tool.core.refusals import Refusal
from qa_tool.demo import loader as demo
from qa_tool.demo.files import DATA_DIR
from qa_tool.institutions.models import Role


class Command(ImportCommand):
    help = "Load fictional demo institutions, users and assessments (idempotent)."
    nothing_done = gettext_lazy("the demo data were not loaded")

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
            _(
                "%(institutions)s institutions (%(new_institutions)s new, %(updated)s updated), "
                "%(users)s users (%(new_users)s new), %(assessments)s new assessment(s), "
                "%(plans)s new action plan(s)."
            )
            % {
                "institutions": counts.created + counts.updated + counts.unchanged,
                "new_institutions": counts.created,
                "updated": counts.updated,
                "users": len(summary.people),
                "new_users": summary.new_people,
                "assessments": summary.new_assessments,
                "plans": summary.new_plans,
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo log-ins (password for all: %(password)s):")
                % {"password": demo.DEMO_PASSWORD}
            )
        )
        for person in summary.people:
            role = Role(person.role).label
            if person.institution:
                who = _("%(role)s at %(institution)s") % {
                    "role": role,
                    "institution": person.institution,
                }
            else:
                who = str(role)
            self.stdout.write(
                f"  {person.username:<10} {who} ({person.first_name} {person.last_name})"
            )
