"""Every report format in one table: an identifier, a content type and a renderer of the context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .context import ReportContext


@dataclass(frozen=True)
class Exporter:
    identifier: str
    content_type: str
    render: Callable[[ReportContext], Any]


def _pdf(context: ReportContext) -> bytes:
    from .pdf import render_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

    return render_pdf(context)


def _xlsx(context: ReportContext) -> bytes:
    from .xlsx import render_xlsx

    return render_xlsx(context)


def _json(context: ReportContext) -> dict[str, Any]:
    from .json_report import report_json

    return report_json(context)


EXPORTERS = {
    "pdf": Exporter("pdf", "application/pdf", _pdf),
    "xlsx": Exporter(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx
    ),
    "json": Exporter("json", "application/json", _json),
}
