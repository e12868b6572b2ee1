"""Forms of the units pages; every choice is limited to the person's own institution."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Cycle
from qa_tool.institutions.models import UNIT_LEVELS, Institution, Role, Unit, User
from rubrics.models import RubricVersion

STATUS_FILTERS = (
    ("", _("All statuses")),
    ("not_started", _("Not started")),
    ("draft", _("Draft")),
    ("submitted", _("Submitted")),
    ("returned", _("Returned for changes")),
    ("validated", _("Validated")),
)


def unit_versions() -> Any:
    """Offered programme- and course-level rubric versions (``level`` lives in the content)."""
    return (
        RubricVersion.objects.offered()
        .filter(content__level__in=[level.value for level in UNIT_LEVELS])
        .select_related("rubric")
    )


class UnitForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[(lv.value, lv.label) for lv in UNIT_LEVELS]
    )
    code = forms.CharField(label=_("Code"), max_length=30)
    title = forms.CharField(label=_("Title"), max_length=200)
    programmes = forms.ModelMultipleChoiceField(
        label=_("Programmes (for a course)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, institution: Institution, unit: Unit | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = Unit.objects.filter(
            institution=institution, level="programme"
        ).exclude(pk=getattr(unit, "pk", None))
        if unit is not None:
            # Code and level identify the unit in files and reports: they do not change.
            del self.fields["level"]
            del self.fields["code"]
            if unit.level != "course":
                del self.fields["programmes"]


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Contributor"), queryset=User.objects.none())

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            institution=institution, role=Role.CONTRIBUTOR, is_active=True
        ).order_by("username")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    rubric_version = forms.ModelChoiceField(
        label=_("Rubric"), queryset=RubricVersion.objects.none(), empty_label=None
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.none(), empty_label=None
    )
    everything = forms.BooleanField(label=_("Every unit of the rubric's level"), required=False)
    programme = forms.ModelChoiceField(
        label=_("The courses of a programme"), queryset=Unit.objects.none(), required=False
    )
    codes = forms.CharField(
        label=_("And/or these unit codes (one per line, or separated by commas)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["rubric_version"].queryset = unit_versions()
        self.fields["rubric_version"].label_from_instance = lambda v: (
            f"{v.display_title} ({v.version})"
        )
        self.fields["cycle"].queryset = Cycle.objects.filter(is_open=True)
        self.fields["programme"].queryset = Unit.objects.filter(
            institution=institution, level="programme"
        )

    def code_list(self) -> list[str]:
        raw = self.cleaned_data.get("codes") or ""
        return [c.strip() for c in raw.replace(",", "\n").splitlines() if c.strip()]


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    q = forms.CharField(label=_("Code or title"), required=False, max_length=100)


class RollupForm(forms.Form):
    rubric_version = forms.ModelChoiceField(
        label=_("Rubric"), queryset=RubricVersion.objects.none(), empty_label=None
    )
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.all(), empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["rubric_version"].queryset = RubricVersion.objects.filter(
            content__level__in=[level.value for level in UNIT_LEVELS]
        ).select_related("rubric")
        self.fields["rubric_version"].label_from_instance = lambda v: (
            f"{v.display_title} ({v.version})"
        )
