from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    name = "qa_tool.benchmarks"
    label = "benchmarks"
    verbose_name = _("Benchmarks")

    def ready(self) -> None:
        from qa_tool.assessments.signals import status_changed

        from .services import score_summary_refresh

        def refresh(sender, *, assessment, **kwargs) -> None:
            score_summary_refresh(assessment=assessment)

        # Strong reference and a dispatch uid: exactly one refresh per transition.
        status_changed.connect(refresh, weak=False, dispatch_uid="benchmarks.summary_refresh")
