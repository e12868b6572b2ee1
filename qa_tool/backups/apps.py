from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """``backup`` and ``restore``: the database's content and the private files (no models)."""

    name = "qa_tool.backups"
    label = "backups"
    verbose_name = _("Backups")
