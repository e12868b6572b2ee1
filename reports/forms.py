"""Forms of the reports app: uploading a filled-in workbook."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qa_tool.core.uploads import size_problem

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
