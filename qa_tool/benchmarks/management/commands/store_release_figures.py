from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qa_tool.benchmarks.released_figures import latest_releases, release_figures_store
from qa_tool.benchmarks.tasks import store_release_figures
from qa_tool.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = (
        "Store institutions' peer figures (roll-ups included) of the latest release of each "
        "rubric version and cycle (releases published before figures were stored, or after a change of the "
        "benchmark settings); institution users read them computed from the release meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--release", type=int, help="only this release (its id)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the work for the background worker (manage.py db_worker) and return",
        )

    def handle(self, *args, release=None, background=False, **options):
        releases = latest_releases()
        if release is not None:
            releases = [r for r in releases if r.pk == release]
            if not releases:
                raise CommandError(
                    _("No release %(id)s among the latest releases.") % {"id": release}
                )
        for item in releases:
            if background:
                result = store_release_figures.enqueue(item.pk)
                self.stdout.write(
                    _("Release %(release)s queued for the background worker (task %(id)s).")
                    % {"release": item.pk, "id": result.id}
                )
                continue
            count = release_figures_store(release=item)
            self.stdout.write(
                ngettext(
                    "Release %(release)s: figures of %(count)s institution stored.",
                    "Release %(release)s: figures of %(count)s institutions stored.",
                    count,
                )
                % {"release": item.pk, "count": count}
            )
