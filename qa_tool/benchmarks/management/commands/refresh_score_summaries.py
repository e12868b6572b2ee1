from django.utils.translation import ngettext

from qa_tool.benchmarks.services import score_summaries_rebuild
from qa_tool.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = "Recompute the stored score summary of every assessment (benchmarks read these)."

    def handle(self, *args, **options):
        count = score_summaries_rebuild()
        self.stdout.write(
            ngettext("%(count)s summary written", "%(count)s summaries written", count)
            % {"count": count}
        )
