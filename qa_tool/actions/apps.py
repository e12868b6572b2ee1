from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "qa_tool.actions"
    label = "actions"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from qa_tool.assessments.extensions import (
            register_history_formats,
            register_wizard_context,
        )

        from .extensions import history_formats, wizard_context

        register_history_formats(history_formats)
        register_wizard_context(wizard_context)
