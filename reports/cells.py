"""Formula-safe cells now live in ``qa_tool.core.spreadsheets`` (rubric workbooks use them
too); this name stays for the report writers."""

from qa_tool.core.spreadsheets import RISKY_STARTS, is_risky, protect

__all__ = ["RISKY_STARTS", "is_risky", "protect"]
