from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qa_tool.assessments.models import Cycle
from qa_tool.benchmarks.models import ScoreSummary
from qa_tool.institutions.models import InstitutionType, Region, SizeBand
from rubrics.models import RubricVersion

ALL = [("", _("All"))]


class CompareForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Rubric"), queryset=RubricVersion.objects.none(), required=False, empty_label=None
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=Cycle.objects.none(),
        required=False,
        empty_label=None,
        to_field_name="name",
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=ALL + list(Region.choices), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=ALL + list(InstitutionType.choices), required=False
    )
    size = forms.ChoiceField(label=_("Size"), choices=ALL + list(SizeBand.choices), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        used = ScoreSummary.objects.filter(counts=True)
        self.fields["version"].queryset = RubricVersion.objects.filter(
            pk__in=used.values("assessment__rubric_version")
        ).select_related("rubric")
        self.fields["version"].label_from_instance = lambda v: f"{v.display_title} ({v.version})"
        self.fields["cycle"].queryset = Cycle.objects.filter(
            pk__in=used.values("assessment__cycle")
        )
        self.fields["country"].choices = ALL + list(countries)

    def selection(self) -> tuple[RubricVersion | None, Cycle | None]:
        """The chosen rubric version and cycle, defaulting to the most recent with data."""
        if self.is_bound and self.is_valid():
            version, cycle = self.cleaned_data.get("version"), self.cleaned_data.get("cycle")
        else:
            version = cycle = None
        version = version or self.fields["version"].queryset.order_by("-pk").first()
        cycle = cycle or self.fields["cycle"].queryset.order_by("-name").first()
        return version, cycle

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {key: data.get(key) or "" for key in ("region", "country", "type", "size")}
