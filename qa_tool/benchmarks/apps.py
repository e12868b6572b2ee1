from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    name = "qa_tool.benchmarks"
    label = "benchmarks"
    verbose_name = _("Benchmarks")

    def ready(self) -> None:
        from .receivers import connect

        connect()
