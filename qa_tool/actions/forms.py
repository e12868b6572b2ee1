"""Forms of the action plan page: one edit form per action, one comment form per action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qa_tool.core import bounds
from qa_tool.core.form_rendering import FAST_RENDERER
from rubrics import scoring
from rubrics.i18n import localize
from rubrics.models import RubricVersion
from rubrics.scoring import canonical_number_text

from .models import ActionItem, ActionStatus


def item_prefix(item: ActionItem) -> str:
    """Each row's form has its own prefix, so ids stay unique on the page."""
    return f"item{item.pk}"


class ActionItemForm(forms.Form):
    default_renderer = FAST_RENDERER  # one per action on the plan page
    text = forms.CharField(
        label=_("Action"),
        required=False,
        # dir="auto": typed text keeps its own direction inside a right-to-left page.
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Leave empty to use the rubric's recommendation."),
        max_length=bounds.COMMENT_MAX,
    )
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=bounds.SHORT_TEXT_MAX,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    # Only a listed level passes the choice check, so coercing it is cheap and safe.
    target_value = forms.TypedChoiceField(label=_("Target level"), coerce=Decimal)

    def __init__(self, *args: Any, item: ActionItem, version: RubricVersion, **kwargs: Any):
        kwargs.setdefault("prefix", item_prefix(item))
        kwargs.setdefault(
            "initial",
            {
                "text": item.text,
                "owner": item.owner,
                "due_date": item.due_date,
                "status": item.status,
                "target_value": canonical_number_text(item.target_value),
            },
        )
        super().__init__(*args, **kwargs)
        language = get_language()
        levels = [
            (scoring.exact(level["value"]), localize(level["label"], language))
            for level in version.scale
        ]
        field = self.fields["target_value"]
        # Any level of the scale is accepted here; the service says clearly why a
        # level at or below the current one is refused. Only those above are offered.
        field.choices = [(canonical_number_text(v), label) for v, label in levels]
        current = scoring.exact(item.current_value)
        target = scoring.exact(item.target_value)
        field.widget.choices = [
            (canonical_number_text(v), label) for v, label in levels if v > current or v == target
        ]
        recommendation = item.criterion.recommendations.get(
            canonical_number_text(item.current_value)
        )
        if recommendation:
            self.fields["text"].widget.attrs["placeholder"] = localize(recommendation, language)
        else:
            self.fields["text"].help_text = ""


class ActionCommentForm(forms.Form):
    default_renderer = FAST_RENDERER  # one per action on the plan page
    comment = forms.CharField(
        label=_("Reviewer's comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        max_length=bounds.COMMENT_MAX,
    )

    def __init__(self, *args: Any, item: ActionItem, **kwargs: Any):
        kwargs.setdefault("prefix", item_prefix(item))
        kwargs.setdefault("initial", {"comment": item.reviewer_comment})
        super().__init__(*args, **kwargs)
