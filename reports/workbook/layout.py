"""What export and upload agree on: the sheets, columns and identity of the workbook, and
how a text looks once it went through a cell."""

from __future__ import annotations

import hashlib
import json
import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qa_tool.assessments.models import Response
from qa_tool.core.refusals import Refusal

# Shared with every spreadsheet the application reads; re-exported for this package.
from qa_tool.core.spreadsheets import CONTENT_TYPE as CONTENT_TYPE
from qa_tool.core.spreadsheets import CellProblem as CellProblem
from qa_tool.core.spreadsheets import cell_ref as cell_ref
from qa_tool.core.spreadsheets import cell_text as cell_text
from rubrics.scoring import canonical_number_text

FORMAT = "qa-tool-workbook"
FORMAT_VERSION = 1

# The sheets' names in workbooks of format version 1 written before the names were
# translated; a workbook now records its sheets' names on the identity sheet (SHEET_FACTS).
ANSWERS = "Answers"
LEVELS = "Levels"
# The identity sheet keeps this name in every language: it is very hidden (no Excel
# menu lists it), and reading must find it before it knows anything else.
IDENTITY = "Identity"
SHEET_FACTS = {"answers": "sheet_answers", "levels": "sheet_levels"}

# Columns of the Answers sheet (1-based) and their widths.
COL_DOMAIN, COL_CODE, COL_TEXT, COL_GUIDANCE, COL_LEVEL, COL_JUSTIFICATION, COL_LINKS = range(1, 8)
INPUT_COLUMNS = (COL_LEVEL, COL_JUSTIFICATION, COL_LINKS)
# Cells whose content is read on upload; a formula in any of them is checked.
READ_COLUMNS = (COL_CODE, *INPUT_COLUMNS)
WIDTHS = {
    COL_DOMAIN: 24,
    COL_CODE: 10,
    COL_TEXT: 48,
    COL_GUIDANCE: 48,
    COL_LEVEL: 24,
    COL_JUSTIFICATION: 60,
    COL_LINKS: 44,
}
FIRST_ROW = 2  # row 1 is the header
IDENTITY_COLUMNS = ("code", "row", "revision", "fingerprint")

# The same limits as the wizard's fields.
MAX_JUSTIFICATION = 10000
MAX_LINKS = 5000
# Rows beyond the rubric's are read only this far (they can only be errors).
MAX_EXTRA_ROWS = 1000
MAX_PROBLEMS = 200

NA_KEY = "na"
NA_TOKENS = ("na", "n/a")


class WorkbookError(Refusal):
    """A refused workbook, with every problem found; nothing was applied."""


def sanitize(text: str) -> str:
    """What a text becomes once written to a cell and read back."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def fingerprint(level: str, justification: str, links: str) -> str:
    payload = json.dumps([level, justification, links], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def level_key(row: Response | None) -> str:
    """A response's level as the workbook keys it: "", "na" or the canonical value."""
    if row is None:
        return ""
    if row.is_na:
        return NA_KEY
    if row.value is None:
        return ""
    return canonical_number_text(row.value)


def supported_language(language: str | None) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def na_label() -> str:
    return _("Not applicable")


def sheet_title(text: str) -> str:
    """A translated sheet name Excel accepts: none of []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in sanitize(text))
    return " ".join(cleaned.split())[:31].strip("'") or "Sheet"


def answers_title() -> str:
    return sheet_title(_("Answers"))


def levels_title() -> str:
    return sheet_title(_("Levels"))


def instructions_title() -> str:
    return sheet_title(_("Instructions"))


def _is_arabic_mark(char: str) -> bool:
    # Harakat, shadda, sukun, superscript alef and Quranic marks: vowel signs that an
    # officer may or may not type ("متقدم" and "متقدّم" are the same word). Tatweel is a
    # stretching stroke with no meaning at all.
    code = ord(char)
    return (
        0x0610 <= code <= 0x061A
        or 0x064B <= code <= 0x065F
        or code == 0x0670
        or 0x06D6 <= code <= 0x06ED
        or code == 0x0640
    )


def normalized(text: str) -> str:
    """A level label as compared: compatibility forms folded (NFKC: full-width letters,
    Arabic presentation forms), Arabic vowel marks and tatweel ignored, case ignored."""
    text = unicodedata.normalize("NFKC", " ".join(text.split()))
    text = "".join(ch for ch in text if not _is_arabic_mark(ch))
    return unicodedata.normalize("NFKC", text.casefold())
