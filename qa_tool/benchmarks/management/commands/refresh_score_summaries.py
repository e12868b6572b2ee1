from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qa_tool.benchmarks.services import score_summaries_rebuild
from qa_tool.benchmarks.tasks import refresh_score_summaries
from qa_tool.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = "Recompute the stored score summary of every assessment (benchmarks read these)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the work for the background worker (manage.py db_worker) and return",
        )

    def handle(self, *args, background=False, **options):
        if background:
            result = refresh_score_summaries.enqueue()
            self.stdout.write(
                _("Queued for the background worker (task %(id)s).") % {"id": result.id}
            )
            return
        count = score_summaries_rebuild()
        self.stdout.write(
            ngettext("%(count)s summary written", "%(count)s summaries written", count)
            % {"count": count}
        )
