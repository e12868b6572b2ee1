"""The uploaded file as a container: its name, size and zip structure, checked by the
shared upload checker before any XML is parsed, then opened read-only with defusedxml."""

from __future__ import annotations

import io
import warnings

import openpyxl
import openpyxl.xml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.workbook.workbook import Workbook

from qa_tool.core.refusals import Problem
from qa_tool.core.uploads import ZIP_MAGIC, ContainerRefused, Fault, inspect_zip, size_problem

from .layout import WorkbookError

# The documented default of QA_WORKBOOK_MAX_BYTES, for settings that do not define it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "WORKBOOK_MAX_BYTES", DEFAULT_MAX_BYTES)


def check_file_name(name: str) -> str | None:
    """The reason a file name is refused, or None for an .xlsx name."""
    if not name.lower().endswith(".xlsx"):
        return _("%(name)s: only Excel workbooks (.xlsx) are accepted.") % {"name": name}
    return None


def container_problems(data: bytes, max_bytes: int) -> list[Problem]:
    """Refuse what is not a plain .xlsx before any XML is parsed."""
    too_large = size_problem(len(data), max_bytes)
    if too_large:
        return [Problem(too_large)]
    not_xlsx = Problem(_("The file is not an Excel workbook (.xlsx)."))
    if not data.startswith(ZIP_MAGIC):
        return [not_xlsx]
    try:
        container = inspect_zip(io.BytesIO(data), size=len(data))
    except ContainerRefused as refused:
        if refused.fault is Fault.TOO_BIG:
            message = _(
                "The file unpacks to %(size)s, more than a workbook of this kind can "
                "hold; it is refused unopened."
            ) % {"size": filesizeformat(refused.unpacked)}
            return [Problem(message)]
        if refused.fault is Fault.MACROS:
            return [Problem(_("Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."))]
        return [not_xlsx]
    if not (container.is_ooxml and container.has("xl/workbook.xml")):
        return [not_xlsx]
    return []


def load(data: bytes, data_only: bool = True) -> Workbook:
    """The workbook read-only; any failure of a malformed file is one refusal."""
    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured("defusedxml must be installed to read uploaded workbooks.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
            )
    except Exception:  # whatever a malformed file raises, the answer is the same
        raise WorkbookError([_("The file could not be read as an Excel workbook.")]) from None
