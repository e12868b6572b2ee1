"""Where higher layers add to the assessment pages without the assessments package
importing them (the layers contract in pyproject.toml forbids that).

The action plan app, for example, shows last cycle's action beside each criterion in the
wizard and tells its own audit events in the history; it registers both here when Django
starts (``ActionsConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import Assessment

# Field name in the audit trail -> (its label, how one of its values reads).
FieldFormats = dict[str, tuple[Callable[[], str], Callable[[Any], str]]]
# Given the reader of level values of the assessment's rubric version, more field formats.
HistoryFormats = Callable[[Callable[[Any], str]], FieldFormats]
# Extra template context for the filling wizard of an assessment.
WizardContext = Callable[[Assessment], dict[str, Any]]

_history: list[HistoryFormats] = []
_wizard: list[WizardContext] = []


def register_history_formats(provider: HistoryFormats) -> None:
    if provider not in _history:
        _history.append(provider)


def history_formats(level: Callable[[Any], str]) -> FieldFormats:
    formats: FieldFormats = {}
    for provider in _history:
        formats.update(provider(level))
    return formats


def register_wizard_context(provider: WizardContext) -> None:
    if provider not in _wizard:
        _wizard.append(provider)


def wizard_context(assessment: Assessment) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _wizard:
        context.update(provider(assessment))
    return context
