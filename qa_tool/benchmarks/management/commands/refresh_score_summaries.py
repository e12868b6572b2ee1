from django.core.management.base import BaseCommand

from qa_tool.benchmarks.services import score_summaries_rebuild


class Command(BaseCommand):
    help = "Recompute the stored score summary of every assessment (benchmarks read these)."

    def handle(self, *args, **options):
        self.stdout.write(f"{score_summaries_rebuild()} summaries written")
