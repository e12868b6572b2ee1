from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "qa_tool.panels"
    label = "panels"
    verbose_name = _("Review panels")

    def ready(self) -> None:
        from qa_tool.assessments.extensions import (
            register_history_formats,
            register_portable,
            register_score_json,
        )

        from . import extensions

        register_score_json(extensions.score_json)
        register_portable(extensions.PORTABLE)
        register_history_formats(extensions.history_formats)
