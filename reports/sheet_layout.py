"""How every spreadsheet this application writes is laid out for reading and printing.

Excel and LibreOffice neither grow a row to fit wrapped text written by a program nor
print a wide sheet on one page unless told to: row heights are estimated here from the
text and the column widths (no font is measured; CJK characters count double, as in the
charts), and every sheet gets the same print setup. Percentages are stored as fractions
with a percent format, so that a figure reads "66.7%" and still computes as 0.667.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from qa_tool.benchmarks.charts.text import units
from qa_tool.core.numbers import display

PERCENT = "0.0%"
# A change in percentage points keeps its sign: "+4.2%", "-1.0%".
PERCENT_CHANGE = "+0.0%;-0.0%;0.0%"

LINE_POINTS = 15.0  # one line of 11-point text, with its leading
ROW_PADDING = 4.0
MAX_ROW_POINTS = 409.0  # Excel's largest row height
MAX_HEADER_WIDTH = 24  # longer headers wrap, on word boundaries


def percent(value: Fraction | Decimal | int | None) -> float | None:
    """A score on 0-100, rounded as shown everywhere, as the fraction a "0.0%" cell holds."""
    shown = display(value, 1)
    return None if shown is None else float(shown / 100)


def text_lines(value: Any, width: float) -> int:
    """Lines a wrapped cell of ``width`` (Excel's character units) needs for ``value``."""
    if value is None or value == "":
        return 1
    # A little narrower than the column: cell padding, and wider letters than Excel's "0".
    per_line = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(units(line) / per_line)) for line in str(value).split("\n"))


def row_points(cells: list[tuple[Any, float]]) -> float:
    """Height in points of a row whose cells are (value, column width) pairs."""
    lines = max((text_lines(value, width) for value, width in cells), default=1)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + ROW_PADDING)


def fit_rows(ws: Any, first_row: int = 1, last_row: int | None = None) -> None:
    """Tall enough rows, from ``first_row`` on, to show every wrapped cell whole."""
    widths: dict[int, float] = {}
    last = ws.max_row if last_row is None else last_row
    for row in ws.iter_rows(min_row=first_row, max_row=last):
        cells = []
        for cell in row:
            if cell.value is None or not isinstance(cell.value, str):
                continue
            if cell.column not in widths:
                dimension = ws.column_dimensions.get(get_column_letter(cell.column))
                widths[cell.column] = (dimension.width if dimension else None) or 8.43
            cells.append((cell.value, widths[cell.column]))
        if cells:
            height = row_points(cells)
            if height > LINE_POINTS + ROW_PADDING:
                ws.row_dimensions[row[0].row].height = height


def header_width(header: str, minimum: float) -> float:
    """A column width at least as wide as its header's longest word, and the whole
    header when short, so no header is cut."""
    longest_word = max((units(word) for word in header.split()), default=0)
    return max(minimum, longest_word + 2, min(units(header) + 2, MAX_HEADER_WIDTH))


def print_setup(ws: Any, *, title_rows: str | None = "1:1") -> None:
    """Landscape, one page wide, the header rows repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = False
    if title_rows:
        ws.print_title_rows = title_rows
    # Page numbers in the footer: a printed report is read page by page.
    ws.oddFooter.center.text = "&P / &N"
