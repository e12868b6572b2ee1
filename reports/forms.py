"""Forms of the reports app: the peer group of a report download; uploading a filled-in
workbook."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qa_tool.core.uploads import size_problem

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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        reason = check_file_name(upload.name or "")
        if reason:
            raise forms.ValidationError(reason)
        too_large = size_problem(upload.size, max_upload_bytes(), upload.name or "")
        if too_large:
            raise forms.ValidationError(too_large)
        return upload


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
