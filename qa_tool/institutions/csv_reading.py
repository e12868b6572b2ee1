"""The hardened CSV reading the institutions and units importers share.

The file is capped in size, and the CSV reader's own errors (a field over its size
limit, a line break inside an unquoted field) become problems located by line rather
than exceptions, so the importers report them with every other bad row and save nothing.
NUL characters and over-long cells are refused by each importer's own row checks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem

# A national register of a few thousand institutions is well under a megabyte.
CSV_MAX_CHARS = 5_000_000
# Longest text any column may hold (name is the longest field); codes are held to 20.
CELL_MAX = bounds.SHORT_TEXT_MAX


def _csv_problem(reader: csv.DictReader, error: csv.Error) -> Problem:
    return Problem(
        _("the CSV cannot be read here (%(reason)s)") % {"reason": error},
        # line_num counts the lines read whole; the error is on the one after.
        _("line %(line)s") % {"line": reader.line_num + 1},
    )


def _records(reader: csv.DictReader, problems: list[Problem]) -> Iterator[dict]:
    """The reader's rows; a CSV error ends them as a problem at its line (what follows
    an unreadable line cannot be trusted to be split into the right rows)."""
    try:
        yield from reader
    except csv.Error as error:
        problems.append(_csv_problem(reader, error))


def read_csv_rows(
    text: str, required: Sequence[str], problems: list[Problem], *, header_location: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of ``text`` as its line and its stripped cells by lower-cased column.

    A file that cannot be read at all (too long, an unreadable or incomplete header)
    yields no row; every problem met is appended to ``problems`` as it is met, so the
    caller's own row problems keep their place in line order.
    """
    if len(text) > CSV_MAX_CHARS:
        message = _("the file is longer than %(max)s characters") % {"max": CSV_MAX_CHARS}
        problems.append(Problem(message))
        return
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        problems.append(_csv_problem(reader, error))
        return
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in required if c not in header]
    if missing:
        message = _("missing column(s) %(columns)s") % {"columns": ", ".join(missing)}
        problems.append(Problem(message, header_location))
        return
    reader.fieldnames = header
    for row in _records(reader, problems):
        # Extra values beyond the header come as a list under None: not a column, ignored.
        cells = {k: (v or "").strip() for k, v in row.items() if k and not isinstance(v, list)}
        yield reader.line_num, cells
