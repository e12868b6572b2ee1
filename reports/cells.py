"""Writing user text into spreadsheet cells without letting it become a formula.

A text starting with = + - @, a tab or a carriage return (or their full-width
forms) could run as a formula in a spreadsheet program. Such cells are written
as explicit text with Excel's quote prefix: they display and edit as text, and
openpyxl reads back exactly the text that was written.
"""

from __future__ import annotations

from typing import Any

RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def is_risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(RISKY_STARTS)


def protect(cell: Any, value: Any) -> Any:
    """Put ``value`` into ``cell`` (normal or write-only); risky text stays text."""
    cell.value = value
    if is_risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
