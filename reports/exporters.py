"""Every report format in one table: an identifier, a content type and a renderer.

Each exporter's ``render(context)`` returns ``(filename, content_type, bytes)``, whatever
the format, and lays the report out in the context's language (not the thread's), so a
page, a command and a background job get the same file for the same context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.text import slugify

from .context import ReportContext

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Exporter:
    identifier: str
    content_type: str
    extension: str
    renderer: Callable[[ReportContext], bytes]

    def render(self, context: ReportContext) -> tuple[str, str, bytes]:
        with translation.override(context.language):
            content = self.renderer(context)
        return report_filename(context, self.extension), self.content_type, content


def report_filename(context: ReportContext, extension: str) -> str:
    """institution-rubric-cycle-language.ext, safe in a Content-Disposition header."""
    a = context.assessment
    parts = [a.institution.code, a.rubric_version.rubric.slug, a.cycle.name, context.language]
    return slugify("-".join(parts)) + "." + extension


def _pdf(context: ReportContext) -> bytes:
    from .pdf import render_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

    return render_pdf(context)


def _xlsx(context: ReportContext) -> bytes:
    from .xlsx import render_xlsx

    return render_xlsx(context)


def _json(context: ReportContext) -> bytes:
    from .json_report import report_json

    text = json.dumps(report_json(context), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    return (text + "\n").encode("utf-8")


EXPORTERS = {
    "pdf": Exporter("pdf", "application/pdf", "pdf", _pdf),
    "xlsx": Exporter("xlsx", XLSX_CONTENT_TYPE, "xlsx", _xlsx),
    "json": Exporter("json", "application/json", "json", _json),
}
