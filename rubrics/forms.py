from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

RUBRIC_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(RUBRIC_FILE_SUFFIXES)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class RubricImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Rubric files"),
        help_text=_(
            "YAML or JSON files, or Excel workbooks (.xlsx) made from the spreadsheet template. "
            "All are imported, or none if any has a problem."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.RUBRIC_UPLOAD_MAX_BYTES
        for upload in files:
            if not upload.name.lower().endswith(RUBRIC_FILE_SUFFIXES):
                raise forms.ValidationError(
                    _("%(name)s: only .yaml, .yml, .json or .xlsx files are accepted."),
                    params={"name": upload.name},
                )
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(limit)s bytes."),
                    params={"name": upload.name, "limit": limit},
                )
        return files
