"""Background tasks of the benchmarks (django-tasks, the API of Django 6's tasks framework)."""

from django_tasks import task

from .comparison import comparison_refresh
from .models import BenchmarkRelease
from .released_figures import release_figures_store
from .services import score_summaries_rebuild


@task()
def refresh_score_summaries() -> int:
    """Recompute every stored score summary, e.g. after a change of scoring code."""
    return score_summaries_rebuild()


@task()
def store_release_figures(release_id: int) -> int:
    """Store every institution's figures of a release (see ``released_figures``)."""
    release = BenchmarkRelease.objects.filter(pk=release_id).first()
    return 0 if release is None else release_figures_store(release=release)


@task()
def store_comparison_figures(rubric_version_id: int, cycle_id: int) -> None:
    """Recompute a pool's unfiltered comparison after a change (see ``comparison``)."""
    comparison_refresh(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
