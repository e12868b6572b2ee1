"""Forms of the reports app: uploading a filled-in workbook."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

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
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("%(name)s is larger than the limit of %(limit)s."),
                params={"name": upload.name, "limit": filesizeformat(limit)},
            )
        return upload
