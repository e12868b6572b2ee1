"""What the action plan adds to the assessment pages (registered in ``ActionsConfig.ready``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qa_tool.assessments.extensions import FieldFormats
from qa_tool.assessments.history import choice_reader, date_reader, text_reader, verbose_label
from qa_tool.assessments.models import Assessment

from .models import ActionItem, ActionStatus
from .selectors import previous_actions_by_code


def history_formats(level: Callable[[Any], str]) -> FieldFormats:
    """How the plan's audit events ("action:…" fields) read on the history page."""
    return {
        "action:created": (verbose_label(ActionItem, "target_value"), level),
        "action:target_value": (verbose_label(ActionItem, "target_value"), level),
        "action:text": (verbose_label(ActionItem, "text"), text_reader),
        "action:owner": (verbose_label(ActionItem, "owner"), text_reader),
        "action:due_date": (verbose_label(ActionItem, "due_date"), date_reader),
        "action:status": (verbose_label(ActionItem, "status"), choice_reader(ActionStatus)),
        "action:comment": (verbose_label(ActionItem, "reviewer_comment"), text_reader),
    }


def wizard_context(assessment: Assessment) -> dict[str, Any]:
    """Last cycle's action for each criterion, shown beside it while filling in."""
    return {"previous_actions": previous_actions_by_code(assessment)}
