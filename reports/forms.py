"""Forms of the reports app: uploading a filled-in workbook, asking for a batch export,
the peer group of a report download."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment, Cycle
from qa_tool.core.uploads import size_problem
from rubrics.models import RubricVersion

from .lines import Benchmark
from .peer_figures import group_refusal
from .workbook import check_file_name, max_upload_bytes


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in workbook"),
        help_text=_("The .xlsx file downloaded for this assessment, filled in."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    submit = forms.BooleanField(
        label=_("Submit for review once applied"),
        required=False,
        help_text=_(
            "The assessment is submitted only if every criterion is then answered and has the "
            "evidence the rubric requires; otherwise nothing is changed."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        reason = check_file_name(upload.name or "")
        if reason:
            raise forms.ValidationError(reason)
        too_large = size_problem(upload.size, max_upload_bytes(), upload.name or "")
        if too_large:
            raise forms.ValidationError(too_large)
        return upload


class BatchExportForm(forms.Form):
    """A reviewer's choice of cycle, format and language for a ZIP of every report."""

    version = forms.ModelChoiceField(label=_("Rubric"), queryset=None, empty_label=None)
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=None, empty_label=None)
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "Excel")])
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = RubricVersion.objects.filter(
            pk__in=Assessment.objects.values("rubric_version")
        ).select_related("rubric")
        self.fields["version"].queryset = versions.order_by("rubric__slug", "-pk")
        self.fields["version"].label_from_instance = lambda v: f"{v.display_title} ({v.version})"
        self.fields["cycle"].queryset = Cycle.objects.order_by("-name")
        self.fields["cycle"].label_from_instance = lambda c: c.name


class ReportGroupForm(forms.Form):
    """The peer group a downloaded report compares with: one of the groups shown to the
    viewer ("all" first, so the default), checked again when the download is asked for."""

    group = forms.CharField(label=_("Peer group"), required=False)

    def __init__(self, *args, benchmark: Benchmark, **kwargs):
        super().__init__(*args, **kwargs)
        self.benchmark = benchmark
        field = self.fields["group"]
        field.widget = forms.Select(choices=benchmark.group_choices)
        field.initial = benchmark.selected.key if benchmark.selected else None

    def clean_group(self) -> str:
        group = self.cleaned_data["group"]
        # Django's ChoiceField would echo whatever was sent; this names the choices.
        if group and (reason := group_refusal(self.benchmark, group)):
            raise forms.ValidationError(reason)
        return group
