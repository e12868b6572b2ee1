"""Panel forms: set-up, seating a rater, the lead's final levels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.forms import level_choices, level_text, parse_level
from qa_tool.core.bounds import JUSTIFICATION_MAX

from .models import PanelKind, Perspective
from .services import FinalInput

CONSENSUS = "consensus"


class PanelCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of panel"), choices=PanelKind.choices)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in PanelKind.choices if c[0] in kinds]


class RaterAddForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    perspective = forms.ChoiceField(
        label=_("Perspective"), choices=Perspective.choices, required=False
    )

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active person has this user name."))
        return user


class ConfirmForm(forms.Form):
    """Per criterion: the consensus (default) or another level, with a justification."""

    def __init__(self, *args: Any, rows: list[Any], version: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            code = row.code
            choices = [(CONSENSUS, _("Consensus")), *level_choices(version, row.criterion)]
            self.fields[f"{code}-level"] = forms.ChoiceField(
                label=_("Final level"), choices=choices, initial=CONSENSUS, required=False
            )
            self.fields[f"{code}-justification"] = forms.CharField(
                label=_("Justification"),
                required=False,
                max_length=JUSTIFICATION_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            )
            if row.final is not None:
                self.initial[f"{code}-justification"] = row.final.justification
                if row.final.overridden:
                    self.initial[f"{code}-level"] = level_text(row.final.value, row.final.is_na)

    def bound_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"{row.code}-level"], self[f"{row.code}-justification"]) for row in self.rows
        ]

    def finals(self) -> dict[str, FinalInput]:
        out = {}
        for row in self.rows:
            raw = self.cleaned_data.get(f"{row.code}-level") or CONSENSUS
            text = self.cleaned_data.get(f"{row.code}-justification") or ""
            if raw == CONSENSUS:
                out[row.code] = FinalInput(use_consensus=True, justification=text)
                continue
            value, na, _malformed = parse_level(raw)
            out[row.code] = FinalInput(value=value, na=na, use_consensus=False, justification=text)
        return out
