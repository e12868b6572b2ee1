from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo: data files and the ``seed_demo`` command that loads them (no models)."""

    name = "qa_tool.demo"
    label = "demo"
    verbose_name = _("Demo data")
