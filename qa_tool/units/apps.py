from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "qa_tool.units"
    label = "units"
    verbose_name = "Programmes and courses"
