"""Background tasks of the reports (django-tasks, the API of Django 6's tasks framework)."""

from django_tasks import task

from .jobs import export_run


@task()
def run_export(job_id: str) -> str:
    return export_run(job_id)
