"""The uploaded file as a container: the shared spreadsheet checks
(``qa_tool.core.spreadsheets``: size, zip structure, shared strings and sheet caps,
read-only openpyxl with defusedxml), refusing with ``WorkbookError``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from openpyxl.workbook.workbook import Workbook

from qa_tool.core import spreadsheets
from qa_tool.core.spreadsheets import (
    ROW_CELLS_MAX,
    SHARED_STRINGS_MAX,
    SHEET_ROWS_MAX,
    check_file_name,
    container_problems,
    strings_problems,
)

from .layout import WorkbookError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ROW_CELLS_MAX",
    "SHARED_STRINGS_MAX",
    "SHEET_ROWS_MAX",
    "check_file_name",
    "container_problems",
    "load",
    "max_upload_bytes",
    "sheet_rows",
    "strings_problems",
]

# The documented default of QA_WORKBOOK_MAX_BYTES, for settings that do not define it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "WORKBOOK_MAX_BYTES", DEFAULT_MAX_BYTES)


def sheet_rows(wb: Workbook, name: str, **rows: Any) -> list[tuple[Any, ...]]:
    return spreadsheets.sheet_rows(wb, name, error=WorkbookError, **rows)


def load(data: bytes, data_only: bool = True) -> Workbook:
    return spreadsheets.load(data, data_only=data_only, error=WorkbookError)
