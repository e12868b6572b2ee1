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


# More keys for an assessment's score JSON (``assessment_score --json``): given the
# assessment and the JSON built so far, add to it in place (the review panel adds its
# ratings and agreement).
ScoreJson = Callable[[Assessment, dict[str, Any]], None]
_score_json: list[ScoreJson] = []


def register_score_json(provider: ScoreJson) -> None:
    if provider not in _score_json:
        _score_json.append(provider)


def extend_score_json(assessment: Assessment, data: dict[str, Any]) -> None:
    for provider in _score_json:
        provider(assessment, data)


class PortableExtension:
    """More of the portable assessment file, read and written by a higher room.

    ``prepare`` sees the file first (it may fill ``responses`` from other keys, or raise
    ``AssessmentError``), ``imported`` runs in the import's transaction once the answers
    are saved, ``export`` adds keys to an exported file.
    """

    def prepare(self, data: Any) -> Any:
        return data

    def imported(self, assessment: Assessment, data: Any, *, actor: Any, source: str) -> None:
        return None

    def export(self, assessment: Assessment) -> dict[str, Any]:
        return {}


_portable: list[PortableExtension] = []


def register_portable(extension: PortableExtension) -> None:
    if extension not in _portable:
        _portable.append(extension)


def portable_extensions() -> list[PortableExtension]:
    return list(_portable)
