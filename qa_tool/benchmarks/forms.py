from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
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

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any):
        # Always bound, so that selection() can put the displayed rubric version and cycle
        # into the selectors even on a first visit with no query.
        super().__init__({} if data is None else data, *args, **kwargs)
        # EXISTS per version and cycle: a few rows each, not every summary of the network;
        # the rubric document is not read to list the versions.
        counted = ScoreSummary.objects.filter(counts=True)
        self.fields["version"].queryset = (
            RubricVersion.objects.filter(
                Exists(counted.filter(assessment__rubric_version=OuterRef("pk")))
            )
            .select_related("rubric")
            .defer("content")
        )
        self.fields["version"].label_from_instance = lambda v: f"{v.display_title} ({v.version})"
        self.fields["cycle"].queryset = Cycle.objects.filter(
            Exists(counted.filter(assessment__cycle=OuterRef("pk")))
        )
        self.fields["country"].choices = ALL + list(countries)

    def selection(self) -> tuple[RubricVersion | None, Cycle | None]:
        """The chosen rubric version and cycle, defaulting to the most recent with data.

        Each field stands on its own: an unknown filter value does not discard the chosen
        rubric version, and an unknown version falls back to the default. The selectors
        are then set to what the page shows, so the next "Show" keeps it.
        """
        self.is_valid()
        version = self.cleaned_data.get("version") or (
            self.fields["version"].queryset.order_by("-pk").first()
        )
        cycles = self.fields["cycle"].queryset.order_by("-name")
        cycle = self.cleaned_data.get("cycle")
        if cycle is None and version is not None:
            # The newest cycle in which this version has data, so a default never shows
            # an empty table when the version has data elsewhere.
            cycle = cycles.filter(
                pk__in=ScoreSummary.objects.filter(
                    counts=True, assessment__rubric_version=version
                ).values("assessment__cycle")
            ).first()
        cycle = cycle or cycles.first()
        self.data = self.data.copy()
        if version is not None:
            self.data["version"] = str(version.pk)
        if cycle is not None:
            self.data["cycle"] = cycle.name
        return version, cycle

    def offer_only(self, present: dict[str, set[str]]) -> None:
        """Narrow the structural filters to the values some institution has (``present``,
        by field name), so that no choice leads to an empty table; a chosen value without
        data is dropped."""
        for name, values in present.items():
            self.fields[name].choices = [
                (value, label)
                for value, label in self.fields[name].choices
                if value == "" or value in values
            ]
        self._errors = None  # validate again against the narrowed choices

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {
            key: self.cleaned_data.get(key) or "" for key in ("region", "country", "type", "size")
        }
