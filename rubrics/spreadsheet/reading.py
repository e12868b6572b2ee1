"""Reading a rubric workbook back into the rubric document, then through the same
validation as a YAML file (``rubrics.document.validate``: schema, then the rubric rules).

The upload is checked as a container first (size, zip bomb, macros, shared strings) and
opened read-only with defusedxml; every sheet is read within a row cap; every cell is
checked (no formulas or error values, texts within bounds, numbers within the bounds,
TRUE or FALSE where a yes/no goes). What the workbook's layout adds to a YAML file, the
joins (a criterion names its domain, a descriptor its criterion) and their codes, is
checked here; the rest is the validation's. Each problem found there names a place in
the document (``domains[1].criteria[2].weight``), which is translated back to the cell it
was read from (``Criteria!K5``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from qa_tool.core import bounds
from qa_tool.core.refusals import Problem
from qa_tool.core.spreadsheets import (
    CellProblem,
    cell_ref,
    cell_text,
    load,
    sheet_rows,
    upload_problems,
)
from rubrics.document import RUBRIC_FILE_MAX, RubricFileError, validate
from rubrics.scoring import canonical_number, canonical_number_text

from .layout import (
    BANDS,
    BOOLEAN,
    CODE,
    CRITERIA,
    DESCRIPTORS,
    DOMAINS,
    FIRST_ROW,
    HEADER_ROW,
    NUMBER,
    RECOMMENDATIONS,
    REQUIRED_SHEETS,
    ROWS_MAX,
    SCALE,
    SETTINGS,
    SETTINGS_BY_NAME,
    SETTINGS_HEADER,
    SHEET_COLUMNS,
    SHEETS,
    TEXT,
    Column,
)

# Columns read per row: the widest sheet has 14; a few more are read to report unknown ones.
COLUMNS_READ = 40
# Reported problems are capped, so that a hostile sheet cannot make the answer huge.
PROBLEMS_MAX = 200
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


# The only formulas read, and only where a yes/no goes: the constants themselves.
_CONSTANT = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}


class _Empty:
    value = None
    data_type = "n"


_EMPTY = _Empty()

# Where a problem without a cell is reported: the sheet of the document's top-level key.
_SHEET_OF = {"scale": SCALE, "bands": BANDS, "domains": DOMAINS}


def read_rubric_workbook(content: bytes, source: str) -> dict[str, Any]:
    """The normalised document of a rubric workbook; RubricFileError with every problem,
    each located by file, sheet and cell."""
    try:
        problems = upload_problems(content, RUBRIC_FILE_MAX)
        if problems:
            raise RubricFileError(problems)
        wb = load(content, data_only=False, error=RubricFileError)
        try:
            raw, places = _Reader(wb).read()
        finally:
            wb.close()
        try:
            return validate(raw)
        except RubricFileError as refused:
            raise RubricFileError([places.locate(p) for p in refused.problems]) from None
    except RubricFileError as refused:
        raise refused.located(source) from None


# --- where each part of the document was read ------------------------------------------------


@dataclass
class Places:
    """Document locations (``domains[0].criteria[1].text.fr``) -> cells (``Criteria!D3``)."""

    cells: dict[str, str] = field(default_factory=dict)

    def add(self, location: str, sheet: str, column: int, row: int) -> None:
        self.cells.setdefault(location, cell_ref(sheet, column, row))

    def cell(self, location: str) -> str | None:
        """The cell of ``location`` or of the nearest enclosing part that has one."""
        while location:
            if location in self.cells:
                return self.cells[location]
            cut = max(location.rfind("."), location.rfind("["))
            location = location[:cut] if cut > 0 else ""
        return None

    def locate(self, problem: Problem) -> Problem:
        location = problem.where
        cell = self.cell(location)
        if cell:
            return Problem(problem.what, cell)
        top = location.split(".")[0].split("[")[0]
        if top in _SHEET_OF:
            sheet = _SHEET_OF[top]
            return Problem(problem.what, sheet if location == top else f"{sheet}: {location}")
        return Problem(problem.what, f"{SETTINGS}: {location}" if location else SETTINGS)


# --- cells -----------------------------------------------------------------------------------


def _cell_value(cell: Any, kind: str, where: tuple[str, int, int], found: list[Problem]) -> Any:
    """A checked cell value of ``kind`` (None when empty), or None with a problem added."""
    sheet, column, row = where
    value = cell.value
    kind_of_cell = getattr(cell, "data_type", "n")
    if kind_of_cell == "f" and kind == BOOLEAN and cell_text(value).upper() in _CONSTANT:
        # LibreOffice saves a typed TRUE or FALSE as the formula =TRUE() or =FALSE().
        return _CONSTANT[cell_text(value).upper()]
    if kind_of_cell == "f":
        found.append(
            CellProblem(
                _("this cell holds a formula; type the value itself (formulas are not read)."),
                sheet,
                column,
                row,
            )
        )
        return None
    if kind_of_cell == "e":
        found.append(CellProblem(_("this cell holds an error value."), sheet, column, row))
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return _convert(value, kind)
    except bounds.BoundError as exc:
        found.append(CellProblem(str(exc), sheet, column, row))
        return None


def _convert(value: Any, kind: str) -> Any:
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bounds.BoundError(_("not a number (write it like 2 or 2.5)"))
        return canonical_number(bounds.number(value))
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        word = cell_text(value).strip().casefold()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise bounds.BoundError(_("must be TRUE or FALSE"))
    text = cell_text(value)
    limit = bounds.SHORT_TEXT_MAX if kind == CODE else bounds.EXCEL_CELL_MAX
    why = bounds.text_problem(text, limit)
    if why:
        raise bounds.BoundError(why)
    return text.strip() if kind == CODE else text


# --- sheets ----------------------------------------------------------------------------------


@dataclass
class _Record:
    """One row of a table sheet: its values by key (texts as language maps) and cells."""

    row: int
    values: dict[str, Any]
    columns: dict[str, int]  # key or key.language -> column
    refused: set[str] = field(default_factory=set)  # keys whose cell was refused


def _put(record: _Record, column: Column, value: Any, number: int, refused: bool) -> None:
    if refused:
        record.refused.add(column.key)
    if column.kind == TEXT:
        # The text as a whole is reported at its English cell, else its first.
        if column.language == "en":
            record.columns[column.key] = number
        else:
            record.columns.setdefault(column.key, number)
        record.columns[f"{column.key}.{column.language}"] = number
        if value is not None:
            record.values.setdefault(column.key, {})[column.language] = value
    else:
        record.columns[column.key] = number
        if value is not None:
            record.values[column.key] = value


class _Reader:
    def __init__(self, wb: Any):
        self.wb = wb
        self.problems: list[Problem] = []
        self.places = Places()
        # Sheets whose header row was refused: their rows are not read, so the joins
        # that need them are not checked either (one cause, one problem).
        self.unread: set[str] = set()

    def read(self) -> tuple[dict[str, Any], Places]:
        missing = [
            Problem(_("this sheet is missing."), sheet)
            for sheet in REQUIRED_SHEETS
            if sheet not in self.wb.sheetnames
        ]
        if missing:
            raise RubricFileError(missing)
        doc = self._settings()
        tables = {sheet: self._table(sheet) for sheet in SHEETS if sheet != SETTINGS}
        doc["scale"] = self._list("scale", SCALE, tables[SCALE])
        if tables[BANDS]:
            doc["bands"] = self._list("bands", BANDS, tables[BANDS])
        doc["domains"] = self._domains(tables)
        if self.problems:
            raise RubricFileError(_first(self.problems))
        return doc, self.places

    def _rows(self, sheet: str, width: int) -> list[tuple[Any, ...]]:
        rows = sheet_rows(
            self.wb,
            sheet,
            error=RubricFileError,
            min_row=HEADER_ROW,
            max_row=ROWS_MAX + 1,
            max_col=width,
        )
        if len(rows) > ROWS_MAX and any(c.value is not None for c in rows[ROWS_MAX]):
            # Refused whole: its rows are not checked one by one.
            self.problems.append(
                Problem(_("this sheet has more than %(max)s rows.") % {"max": ROWS_MAX}, sheet)
            )
            self.unread.add(sheet)
            return []
        return rows

    # -- the settings sheet: key, value ---------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        rows = self._rows(SETTINGS, 2)
        if SETTINGS in self.unread:
            return doc
        header = [cell_text(c.value).strip().casefold() for c in (rows[0] if rows else ())]
        if header[:2] != list(SETTINGS_HEADER[:2]):
            message = _("row 1 must hold the column names %(names)s.") % {
                "names": ", ".join(SETTINGS_HEADER[:2])
            }
            self.problems.append(CellProblem(message, SETTINGS, 1, HEADER_ROW))
            return doc
        seen: dict[str, int] = {}
        for number, cells in enumerate(rows[1:], start=FIRST_ROW):
            key_cell, value_cell = (*cells, _EMPTY, _EMPTY)[:2]
            name = _cell_value(key_cell, CODE, (SETTINGS, 1, number), self.problems)
            setting = SETTINGS_BY_NAME.get((name or "").casefold())
            kind = setting.kind if setting else TEXT
            value = _cell_value(value_cell, kind, (SETTINGS, 2, number), self.problems)
            if name is None:
                if value is not None:
                    message = _("a value without a key in column A.")
                    self.problems.append(CellProblem(message, SETTINGS, 1, number))
                continue
            if setting is None:
                message = _(
                    '"%(key)s" is not a rubric setting; the keys are in column A of a new template.'
                )
                self.problems.append(CellProblem(message % {"key": name}, SETTINGS, 1, number))
                continue
            if setting.name in seen:
                message = _("%(key)s is given twice (first in row %(row)s).") % {
                    "key": setting.name,
                    "row": seen[setting.name],
                }
                self.problems.append(CellProblem(message, SETTINGS, 1, number))
                continue
            seen[setting.name] = number
            location = setting.key
            if setting.sub:
                location = f"pass.{setting.sub}"
                self.places.add("pass", SETTINGS, 2, number)
            elif setting.language:
                self.places.add(setting.key, SETTINGS, 2, number)
                location = f"{setting.key}.{setting.language}"
            self.places.add(location, SETTINGS, 2, number)
            if value is None:
                continue
            if setting.sub:
                doc.setdefault("pass", {})[setting.sub] = value
            elif setting.language:
                doc.setdefault(setting.key, {})[setting.language] = value
            else:
                doc[setting.key] = value
        return doc

    # -- table sheets: a header row, then one record a row --------------------------------

    def _header(self, sheet: str, cells: tuple[Any, ...]) -> dict[int, Column] | None:
        known = {column.header.casefold(): column for column in SHEET_COLUMNS[sheet]}
        columns: dict[int, Column] = {}
        seen: dict[str, int] = {}
        problems: list[Problem] = []
        for number, cell in enumerate(cells, start=1):
            name = _cell_value(cell, CODE, (sheet, number, HEADER_ROW), problems)
            if name is None:
                continue
            column = known.get(name.casefold())
            if column is None:
                message = _('"%(name)s" is not a column of this sheet.') % {"name": name}
                problems.append(CellProblem(message, sheet, number, HEADER_ROW))
            elif column.header in seen:
                message = _("the column %(name)s appears twice.") % {"name": column.header}
                problems.append(CellProblem(message, sheet, number, HEADER_ROW))
            else:
                seen[column.header] = number
                columns[number] = column
        problems.extend(
            Problem(
                _("the column %(name)s is missing from the header row (row 1).")
                % {"name": column.header},
                sheet,
            )
            for column in SHEET_COLUMNS[sheet]
            if column.required and column.header not in seen
        )
        self.problems.extend(problems)
        if problems:
            self.unread.add(sheet)
            return None
        return columns

    def _table(self, sheet: str) -> list[_Record]:
        if sheet not in self.wb.sheetnames:
            return []
        rows = self._rows(sheet, COLUMNS_READ)
        if sheet in self.unread:
            return []
        if not any(cell.value is not None for row in rows for cell in row):
            return []  # an optional sheet left empty
        columns = self._header(sheet, rows[0] if rows else ())
        if columns is None:
            return []
        records = []
        for number, cells in enumerate(rows[1:], start=FIRST_ROW):
            record = _Record(number, {}, {})
            for index, column in columns.items():
                cell = cells[index - 1] if index <= len(cells) else _EMPTY
                before = len(self.problems)
                value = _cell_value(cell, column.kind, (sheet, index, number), self.problems)
                _put(record, column, value, index, len(self.problems) > before)
            if record.values or record.refused:
                records.append(record)
        return records

    def _place(self, location: str, sheet: str, record: _Record, first: str) -> None:
        """Register the record's cells under ``location`` (the record itself: ``first``)."""
        self.places.add(location, sheet, record.columns.get(first, 1), record.row)
        for key, column in record.columns.items():
            self.places.add(f"{location}.{key}", sheet, column, record.row)

    def _list(self, name: str, sheet: str, records: list[_Record]) -> list[dict[str, Any]]:
        first = SHEET_COLUMNS[sheet][0].key
        for i, record in enumerate(records):
            self._place(f"{name}[{i}]", sheet, record, first)
        return [record.values for record in records]

    # -- domains, their criteria, and the criteria's level texts --------------------------

    def _codes(self, sheet: str, records: list[_Record], key: str, what: str) -> dict[str, int]:
        """Each code's first record index; a repeated code is a problem at its cell."""
        first: dict[str, int] = {}
        for i, record in enumerate(records):
            code = record.values.get(key)
            if code is None:
                continue
            if code in first:
                message = _("duplicate %(what)s code %(code)s (first in row %(row)s).") % {
                    "what": what,
                    "code": code,
                    "row": records[first[code]].row,
                }
                self.problems.append(CellProblem(message, sheet, record.columns[key], record.row))
            else:
                first[code] = i
        return first

    def _domains(self, tables: dict[str, list[_Record]]) -> list[dict[str, Any]]:
        if self.unread & {DOMAINS, CRITERIA}:
            return []
        domain_records = tables[DOMAINS]
        domain_index = self._codes(DOMAINS, domain_records, "code", _("domain"))
        criterion_records = tables[CRITERIA]
        self._codes(CRITERIA, criterion_records, "code", _("criterion"))
        domains = [{**r.values, "criteria": []} for r in domain_records]
        for i, record in enumerate(domain_records):
            self._place(f"domains[{i}]", DOMAINS, record, "code")
        criteria: dict[str, tuple[dict[str, Any], str]] = {}  # code -> criterion, location
        for record in criterion_records:
            values = dict(record.values)
            code = values.pop("domain", None)
            if "domain" in record.refused:
                continue
            if code not in domain_index:
                message = (
                    _('"%(code)s" is not a domain code of the Domains sheet.') % {"code": code}
                    if code
                    else _("a criterion without the code of its domain.")
                )
                self.problems.append(
                    CellProblem(message, CRITERIA, record.columns["domain"], record.row)
                )
                continue
            i = domain_index[code]
            j = len(domains[i]["criteria"])
            domains[i]["criteria"].append(values)
            self._place(f"domains[{i}].criteria[{j}]", CRITERIA, record, "code")
            if isinstance(values.get("code"), str):
                criteria.setdefault(values["code"], (values, f"domains[{i}].criteria[{j}]"))
        for i, record in enumerate(domain_records):
            if not domains[i]["criteria"] and i == domain_index.get(record.values.get("code", "")):
                message = _("no criterion on the Criteria sheet names this domain.")
                self.problems.append(
                    CellProblem(message, DOMAINS, record.columns["code"], record.row)
                )
        for sheet, key in ((DESCRIPTORS, "descriptors"), (RECOMMENDATIONS, "recommendations")):
            self._level_texts(sheet, key, tables[sheet], criteria)
        return domains

    def _level_texts(
        self,
        sheet: str,
        key: str,
        records: list[_Record],
        criteria: dict[str, tuple[dict[str, Any], str]],
    ) -> None:
        seen: dict[tuple[str, str], int] = {}
        for record in records:
            if record.refused & {"criterion", "level"}:
                continue
            code: str = record.values.get("criterion") or ""
            level = record.values.get("level")
            found = criteria.get(code) if code else None
            if found is None:
                message = (
                    _('"%(code)s" is not a criterion code of the Criteria sheet.') % {"code": code}
                    if code
                    else _("a row without a criterion code.")
                )
                self.problems.append(
                    CellProblem(message, sheet, record.columns["criterion"], record.row)
                )
                continue
            if level is None:
                message = _("a row without a level value.")
                self.problems.append(
                    CellProblem(message, sheet, record.columns["level"], record.row)
                )
                continue
            level_key = canonical_number_text(level)
            if (code, level_key) in seen:
                message = _(
                    "%(code)s at level %(level)s is given twice (first in row %(row)s)."
                ) % {
                    "code": code,
                    "level": level_key,
                    "row": seen[(code, level_key)],
                }
                self.problems.append(
                    CellProblem(message, sheet, record.columns["level"], record.row)
                )
                continue
            seen[(code, level_key)] = record.row
            criterion, where = found
            criterion.setdefault(key, {})[level_key] = record.values.get("text", {})
            location = f"{where}.{key}.{level_key}"
            self.places.add(location, sheet, record.columns["level"], record.row)
            for column_key, column in record.columns.items():
                if column_key.startswith("text."):
                    self.places.add(
                        f"{location}.{column_key.removeprefix('text.')}", sheet, column, record.row
                    )


def _order(problem: Problem) -> tuple[int, int, int]:
    sheet = getattr(problem, "sheet", problem.where)
    position = SHEETS.index(sheet) if sheet in SHEETS else -1
    return (position, getattr(problem, "row", 0), getattr(problem, "column", 0))


def _first(problems: list[Problem]) -> list[Problem]:
    """Problems in sheet and reading order, at most PROBLEMS_MAX of them."""
    problems = sorted(problems, key=_order)
    if len(problems) <= PROBLEMS_MAX:
        return problems
    more = len(problems) - PROBLEMS_MAX
    return [
        *problems[:PROBLEMS_MAX],
        Problem(_("… and %(count)s more problems.") % {"count": more}),
    ]
