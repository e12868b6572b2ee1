"""Spreadsheets in and out, for every workbook the application reads or writes (the offline
fill-in workbook, rubric workbooks, reports).

Writing: every sheet laid out to be read and printed (``fit_rows``, ``print_setup``,
percentages as fractions); user text that starts with = + - @, a tab or a carriage return (or their
full-width forms) could run as a formula in a spreadsheet program, so such cells are
written as explicit text with Excel's quote prefix: they display and edit as text, and
openpyxl reads back exactly the text that was written.

Reading an upload: its name, size and zip structure are checked by the shared upload
checker (``uploads``) before any XML is parsed; it is then opened read-only with
defusedxml. The parts openpyxl reads whole (shared strings) or a row at a time (sheets)
are measured by a streaming scan under byte, count and width caps first, and the sheets
that are read are read completely (``sheet_rows``), so a damaged part is always one
refusal.
"""

from __future__ import annotations

import io
import math
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any, cast
from xml.etree.ElementTree import ParseError

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.packaging.manifest import Manifest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from .numbers import rounded_units
from .refusals import Problem, Refusal
from .text_width import units
from .uploads import MAX_PART_BYTES, ZIP_MAGIC, ContainerRefused, Fault, inspect_zip, size_problem

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- writing ----------------------------------------------------------------------------------

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


# --- layout -----------------------------------------------------------------------------------
# Excel and LibreOffice neither grow a row to fit wrapped text written by a program nor print
# a wide sheet on one page unless told to: row heights are estimated from the text and the
# column widths (no font is measured; CJK characters count double), and every sheet gets the
# same print setup. Percentages are stored as fractions with a percent format, so that a
# figure reads "66.7%" and still computes as 0.667.

PERCENT = "0.0%"
# A change in percentage points keeps its sign: "+4.2%", "-1.0%".
PERCENT_CHANGE = "+0.0%;-0.0%;0.0%"

LINE_POINTS = 15.0  # one line of 11-point text, with its leading
ROW_PADDING = 4.0
MAX_ROW_POINTS = 409.0  # Excel's largest row height
MAX_HEADER_WIDTH = 24  # longer headers wrap, on word boundaries


def percent(value: Fraction | Decimal | int | None) -> float | None:
    """A score on 0-100, rounded as shown everywhere, as the fraction a "0.0%" cell holds."""
    # The shown tenths of a point over 1000: one correctly rounded division, the same float
    # as the shown Decimal's over 100, without building a Decimal per cell.
    return None if value is None else rounded_units(value, 1) / 1000


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


# --- cells ------------------------------------------------------------------------------------


def cell_ref(sheet: str, column: int, row: int) -> str:
    return f"{sheet}!{get_column_letter(column)}{row}"


class CellProblem(Problem):
    """A problem at one cell: ``where`` reads "Sheet!C5"; row and column order the list."""

    sheet: str
    row: int
    column: int

    def __new__(cls, what: Any, sheet: str, column: int, row: int) -> CellProblem:
        problem = cast(CellProblem, super().__new__(cls, what, cell_ref(sheet, column, row)))
        problem.sheet, problem.row, problem.column = sheet, row, column
        return problem


def cell_text(value: Any) -> str:
    """A cell's value as text, exactly as typed where it was text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# --- reading an upload ------------------------------------------------------------------------

# openpyxl reads the shared strings whole when it opens a workbook, and a sheet row by
# row, every cell of a row at once however few columns are asked for: so both are
# measured by a streaming scan first. An exported workbook of a large rubric (a few
# hundred criteria, every justification at its limit) stays well inside these.
SHARED_STRINGS_BYTES_MAX = 32 * 1024 * 1024
SHARED_STRINGS_MAX = 50_000
SHEET_BYTES_MAX = 32 * 1024 * 1024
SHEET_ROWS_MAX = 10_000
ROW_CELLS_MAX = 500

# What a damaged or hand-made part raises while openpyxl or the scan reads it: a bad CRC
# or truncated member (BadZipFile, EOFError), corrupt deflate data (zlib.error), a part
# named but missing (KeyError), malformed XML (ParseError), a forbidden entity
# (DefusedXmlException), and unknown attributes or values of the wrong kind
# (TypeError, ValueError, AttributeError, IndexError).
READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ParseError,
    DefusedXmlException,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
)


class SpreadsheetRefused(Refusal):
    """An uploaded spreadsheet that cannot be read, with every problem found."""


class _TooLarge(Exception):
    pass


class _CappedReader(io.RawIOBase):
    """A zip member read through a byte cap: the size in the zip's directory is a claim."""

    def __init__(self, source: IO[bytes], cap: int):
        self.source, self.left = source, cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.source.read(min(len(buffer), self.left + 1))
        self.left -= len(chunk)
        if self.left < 0:
            raise _TooLarge
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(archive: zipfile.ZipFile, name: str, cap: int) -> Iterator[tuple[str, Any]]:
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise _TooLarge
    with archive.open(info) as member:
        yield from iterparse(_CappedReader(member, cap), events=("start", "end"))


def _count(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _strings_part(archive: zipfile.ZipFile) -> str | None:
    """The shared strings part as openpyxl finds it: named by [Content_Types].xml, anywhere."""
    info = archive.getinfo(ARC_CONTENT_TYPES)
    if info.file_size > MAX_PART_BYTES:
        raise _TooLarge
    manifest = Manifest.from_tree(fromstring(archive.read(info)))
    override = manifest.find(SHARED_STRINGS)
    return str(override.PartName[1:]) if override is not None else None


def strings_problems(data: bytes) -> list[Problem]:
    """The shared strings measured before openpyxl loads them whole."""
    too_many = [
        Problem(
            _("The workbook holds more than %(max)s different texts; it is refused unread.")
            % {"max": SHARED_STRINGS_MAX}
        )
    ]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = _strings_part(archive)
            if name is None:
                return []
            strings = 0
            for event, element in _events(archive, name, SHARED_STRINGS_BYTES_MAX):
                tag = _local(element.tag)
                if event == "start" and tag == "sst":
                    declared = _count(element.get("uniqueCount"))
                    if declared is not None and declared > SHARED_STRINGS_MAX:
                        return too_many
                elif event == "start" and tag == "si":
                    strings += 1
                    if strings > SHARED_STRINGS_MAX:
                        return too_many
                elif event == "end" and tag == "si":
                    element.clear()
    except _TooLarge:
        return too_many
    except READ_ERRORS:
        return [Problem(_("The file could not be read as an Excel workbook."))]
    return []


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
    except zlib.error:
        # Corrupt deflate data in a part the checker reads (it does not catch zlib.error).
        return [not_xlsx]
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


def upload_problems(data: bytes, max_bytes: int) -> list[Problem]:
    """Every check made before openpyxl opens an upload: the container, then the strings."""
    return container_problems(data, max_bytes) or strings_problems(data)


def _sheet_cap_problem(wb: Workbook, name: str) -> Problem | None:
    """Why the sheet ``name`` is too large to read, from a streaming scan of its part."""
    path = getattr(wb[name], "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return None
    rows = cells = 0
    try:
        for event, element in _events(archive, path, SHEET_BYTES_MAX):
            tag = _local(element.tag)
            if event == "start" and tag == "row":
                rows, cells = rows + 1, 0
                if rows > SHEET_ROWS_MAX:
                    return Problem(
                        _("this sheet has more than %(max)s rows.") % {"max": SHEET_ROWS_MAX}, name
                    )
            elif event == "start" and tag == "c":
                cells += 1
                if cells > ROW_CELLS_MAX:
                    return Problem(
                        _("row %(row)s has more than %(max)s cells.")
                        % {"row": rows, "max": ROW_CELLS_MAX},
                        name,
                    )
            elif event == "end" and tag == "row":
                element.clear()
    except _TooLarge:
        return Problem(_("this sheet is too large to read."), name)
    return None


def sheet_rows(
    wb: Workbook, name: str, *, error: type[Refusal] = SpreadsheetRefused, **rows: Any
) -> list[tuple[Any, ...]]:
    """The rows of sheet ``name`` (``iter_rows`` arguments), read here and now.

    openpyxl reads a read-only sheet lazily, so a damaged part would fail wherever its
    rows happen to be iterated; reading them whole here keeps every failure a refusal
    (``error``, with the sheet's name)."""
    try:
        problem = _sheet_cap_problem(wb, name)
        if problem is None:
            return list(wb[name].iter_rows(**rows))
    except READ_ERRORS:
        problem = Problem(_("this sheet could not be read; the file is damaged."), name)
    raise error([problem])


def load(
    data: bytes, *, data_only: bool = True, error: type[Refusal] = SpreadsheetRefused
) -> Workbook:
    """The workbook read-only; any failure of a malformed file is one refusal (``error``)."""
    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured("defusedxml must be installed to read uploaded workbooks.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
            )
    except Exception:  # whatever a malformed file raises, the answer is the same
        raise error([_("The file could not be read as an Excel workbook.")]) from None
