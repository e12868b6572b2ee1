"""The reviewers' comparison export, cell by cell: what the file holds and how it looks.

The renderer streams its cells a faster way than openpyxl's own (reports/xlsx.py,
``_RowStream``); these tests read the file back in openpyxl's normal mode, and compare
the streamed sheet with the one openpyxl writes from the same cells appended its own way.
"""

from __future__ import annotations

import io
import zipfile
from fractions import Fraction

import openpyxl
import pytest
from django.utils import translation
from openpyxl.cell import WriteOnlyCell

from qa_tool.benchmarks.peers import ComparisonExtras, Peer
from reports.cells import protect
from reports.xlsx import (
    CHANGE_COLUMN,
    HEADER_FILL,
    HEADER_FONT,
    PERCENT,
    PERCENT_CHANGE,
    WRAP,
    ComparisonSheet,
    _RowStream,
    cell_text,
    render_comparison_xlsx,
)

RISKY = '=HYPERLINK("http://evil","click")'


def _peer(i: int, *, name: str | None = None, overall=None, domains=None, code=None) -> Peer:
    return Peer(
        institution_id=i,
        assessment_id=100 + i,
        summary_id=i,
        code=code or f"P{i:03d}",
        name=name or f"University {i}",
        country="EG",
        region="north-africa",
        type="public",
        size_band="medium",
        delivery_mode="",
        overall=overall,
        domains=domains or {},
    )


def _sheet(peers: list[Peer], filters=(("Cycle", "2026"),)) -> ComparisonSheet:
    return ComparisonSheet(
        title="Test rubric 1 · 2026",
        filters=list(filters),
        domains=[("D1", "Domain one"), ("D2", "Domain two")],
        peers=peers,
        country_names={"EG": "Egypt"},
        region_names={"north-africa": "North Africa"},
        extras=ComparisonExtras(
            statuses={100 + p.institution_id: "submitted" for p in peers},
            previous_cycle="2025",
            previous_overall={1: Fraction(50)},
        ),
        status_names={"submitted": "Submitted"},
    )


PEERS = [
    _peer(1, overall=Fraction(125, 2), domains={"D1": Fraction(200, 3), "D2": None}),
    _peer(2, name=RISKY, code="-P2", overall=Fraction(85), domains={"D1": Fraction(95)}),
    _peer(3, name="@SUM(A1)\x07 bell", overall=None),
]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_cells_hold_numbers_as_percentages_and_wrapped_text():
    with translation.override("en"):
        ws = _open(render_comparison_xlsx(_sheet(PEERS)))
    header = 4  # title, one filter, an empty row
    assert [c.value for c in ws[header]][:7] == [
        "Code",
        "Institution",
        "Country",
        "Region",
        "Status",
        "Overall",
        "Change since 2025 (percentage points)",
    ]
    for cell in ws[header]:
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("EEF1F5"), cell.coordinate
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert ws["A1"].value == "Test rubric 1 · 2026" and ws["A1"].font.b
    assert [ws["A2"].value, ws["B2"].value] == ["Cycle", "2026"] and not ws["A2"].font.b
    first = ws[header + 1]
    assert [c.value for c in first] == [
        "P001",
        "University 1",
        "Egypt",
        "North Africa",
        "Submitted",
        0.625,
        0.125,
        0.667,
        None,
    ]
    for cell in first:
        # Numbers too: they sit at the top of a row grown for a wrapped name.
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top", cell.coordinate
        assert not cell.font.b
    assert [c.number_format for c in first[5:8]] == [PERCENT, PERCENT_CHANGE, PERCENT]
    assert all(c.number_format == "General" for c in first[:5])
    assert isinstance(first[5].value, float) and first[5].data_type == "n"
    # The group's figures under the table: percentages again, n a plain count.
    rows = {r[1].value: r for r in ws.iter_rows(min_row=header + 4)}
    assert rows["n"][5].value == 2 and rows["n"][5].number_format == "General"
    assert rows["Median"][5].value == pytest.approx(0.738) and rows["Median"][5].number_format == (
        PERCENT
    )
    assert rows["Median"][6].value is None  # no change figures


def test_risky_text_stays_text():
    with translation.override("en"):
        ws = _open(render_comparison_xlsx(_sheet(PEERS, filters=[("Rubric", "+1 rubric")])))
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in (RISKY, "-P2", "@SUM(A1) bell", "+1 rubric"):  # the bell dropped
        cell = cells[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
        assert cell.alignment.wrap_text, text
    assert not cells["University 1"].quotePrefix
    assert not any(row[0].data_type == "f" for row in ws.iter_rows())


def test_heat_colours_filter_print_setup_and_chart():
    with translation.override("en"):
        ws = _open(render_comparison_xlsx(_sheet(PEERS)))
    assert ws.auto_filter.ref == "A4:I7"
    assert sorted(str(r.sqref) for r in ws.conditional_formatting) == ["F5:F7", "H5:I7"]
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert not ws.sheet_view.rightToLeft
    assert len(ws._charts) == 1


def test_arabic_reads_right_to_left():
    with translation.override("ar"):
        data = render_comparison_xlsx(_sheet(PEERS))
    ws = _open(data)
    assert ws.sheet_view.rightToLeft
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert 'orientation val="maxMin"' in chart


def _one_by_one(ws, values, *, bold=False, percent_from=None):
    """openpyxl's own way, as the renderer once wrote its rows: a new cell per value,
    each style assigned to it."""
    row = []
    for index, value in enumerate(values):
        cell = protect(WriteOnlyCell(ws), cell_text(value))
        cell.alignment = WRAP
        if bold:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        if percent_from is not None and index >= percent_from and isinstance(value, float):
            cell.number_format = PERCENT_CHANGE if index == CHANGE_COLUMN - 1 else PERCENT
        row.append(cell)
    return row


def _parts(write) -> dict[str, bytes]:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Comparison")
    write(ws)
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml")}


def test_streamed_rows_are_the_rows_openpyxl_writes():
    rows = [
        (["Title"], {"bold": True}),
        ([RISKY, "\t tab", "plain"], {}),
        ([], {}),
        (["Code", "Overall", "=1+1"], {"bold": True}),
        *[
            ([f"P{i}", "Name\x00", "", None, "－x", 0.5 + i / 1000, -0.01 * i, None, 0.25], {})
            for i in range(30)
        ],
        (["", "n", "", "", "", 3, None, 2], {"percent_from": 5}),
        (["", "Mean", "", "", "", 0.5, None, 0.25, None], {"percent_from": 5}),
    ]
    for _values, options in rows[4:-2]:
        options["percent_from"] = 5

    def streamed(ws):
        stream = _RowStream(ws)
        for values, options in rows:
            stream.append(values, **options)

    def one_by_one(ws):
        for values, options in rows:
            ws.append(_one_by_one(ws, values, **options))

    assert _parts(streamed) == _parts(one_by_one)
