"""Background tasks of the benchmarks (django-tasks, the API of Django 6's tasks framework)."""

from django_tasks import task

from .services import score_summaries_rebuild


@task()
def refresh_score_summaries() -> int:
    """Recompute every stored score summary, e.g. after a change of scoring code."""
    return score_summaries_rebuild()
