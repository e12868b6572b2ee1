"""Excel renderings: the assessment report workbook, and the reviewers' comparison export."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import formats
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, RadarChart, Reference, Series
from openpyxl.chart.legend import LegendEntry
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RichTextProperties,
)
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qa_tool.benchmarks.selectors import ComparisonExtras, GroupFigures, Peer
from qa_tool.benchmarks.statistics import Summary
from qa_tool.core import bounds
from qa_tool.core.heat import heat_bands
from qa_tool.core.numbers import display
from qa_tool.core.spreadsheets import (
    PERCENT,
    PERCENT_CHANGE,
    fit_rows,
    header_width,
    percent,
    print_setup,
    row_points,
)
from rubrics import scoring

from .cells import is_risky
from .cells import protect as _protect
from .context import ReportContext
from .rollup_xlsx import rollup_sheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
WRAP = Alignment(wrap_text=True, vertical="top")
INSTITUTION_COLOUR = "1F5A96"
PEER_BAND_COLOUR = "C9CED6"
PEER_MEDIAN_COLOUR = "4A4F57"


def cell_text(value: Any) -> Any:
    """Text an Excel cell can hold: control characters dropped, cut at Excel's cell limit.

    The limits on typed texts keep them well below 32,767 characters, but rows stored
    before those limits (or changed in the database) must still export, not break the file:
    Excel refuses the whole workbook over one cell too long. The cut is marked.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) <= bounds.EXCEL_CELL_MAX:
        return value
    mark = "\n… " + _("(cut at Excel's cell limit: %(length)s characters in all)") % {
        "length": len(value)
    }
    return value[: bounds.EXCEL_CELL_MAX - len(mark)] + mark


def protect(cell: Any, value: Any) -> Any:
    """Every value this module writes goes through here: formula-safe and within the limit."""
    return _protect(cell, cell_text(value))


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    ws.sheet_view.rightToLeft = get_language_bidi()
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=column)
        protect(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        ws.column_dimensions[get_column_letter(column)].width = header_width(header, width)
    ws.freeze_panes = "A2"
    return ws


def _row(ws: Worksheet, values: list[Any], pct_columns: tuple[int, ...] = ()) -> None:
    """A row of ``values``; those in ``pct_columns`` are fractions shown as percentages."""
    row = ws.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column)
        protect(cell, value)
        cell.alignment = WRAP
        if column in pct_columns:
            cell.number_format = PERCENT


def _finish(ws: Worksheet, *, title_rows: str | None = "1:1") -> None:
    if ws.max_row > 1 and title_rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    fit_rows(ws)
    print_setup(ws, title_rows=title_rows)


def render_xlsx(context: ReportContext) -> bytes:
    """The report workbook: Summary (with charts), Scores, Action plan and, when a peer
    group is shown, Benchmark. Laid out in the active language; nothing is computed here."""
    wb = Workbook()
    wb.remove(wb.active)
    _summary_sheet(wb, context)
    _scores_sheet(wb, context)
    _plan_sheet(wb, context)
    if context.perspectives:
        _perspectives_sheet(wb, context)
    if context.benchmark.selected is not None:
        _benchmark_sheet(wb, context, context.benchmark.selected)
    for number, report in enumerate(context.rollups, start=1):
        rollup_sheet(wb, report, number)
    wb.active = 0
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary_facts(context: ReportContext) -> list[tuple[str, Any]]:
    """The summary's (label, value) pairs; float values are percentages (fractions)."""
    a = context.assessment
    result = context.result
    validated = context.validated_result
    passed = "" if result.passed is None else (_("Passed") if result.passed else _("Not passed"))
    # A profile rubric (overall: none) has no score, band, pass or points to state.
    scored = context.has_score
    return [
        (_("Institution"), a.institution.name),
        (_("Rubric"), f"{a.rubric_version.display_title} ({a.rubric_version.version})"),
        (_("Cycle"), a.cycle.name),
        *(
            [(_("Programme or course"), f"{a.subject.code} · {a.subject.title}")]
            if a.subject_id
            else []
        ),
        (_("Status"), a.get_status_display()),
        *(
            [
                (_("Overall score"), percent(result.score)),
                (_("Self-assessed score"), percent(context.self_result.score)),
                (_("Validated score"), percent(validated.score) if validated else None),
            ]
            if scored
            else []
        ),
        (_("Validated by"), context.validated_by),
        (
            _("Validated on"),
            formats.date_format(context.validated_at, "DATE_FORMAT")
            if context.validated_at
            else "",
        ),
        (_("Reviewer's comment"), a.review_comment),
        *([(_("Band"), context.band_label), (_("Result"), passed)] if scored else []),
        (_("Failed critical criteria"), ", ".join(result.failed_critical)),
        *([(_("Domains below their minimum"), ", ".join(result.failed_domains))] if scored else []),
        (_("Completion"), percent(result.completion)),
        *(
            [
                (
                    _("Points"),
                    f"{scoring.plain_number(result.points)} / "
                    f"{scoring.plain_number(result.points_possible)}",
                )
            ]
            if scored
            else []
        ),
    ]


def _summary_sheet(wb: Workbook, context: ReportContext) -> None:
    summary = _sheet(wb, _("Summary"), [_("Item"), _("Value")], [34, 60])
    for label, value in _summary_facts(context):
        _row(summary, [label, value], pct_columns=(2,) if isinstance(value, float) else ())
    summary.freeze_panes = None
    fit_rows(summary)
    start = summary.max_row + 2
    if not context.has_score:
        _profile_table(summary, context, start)
        print_setup(summary, title_rows=None)
        return
    _domain_table(summary, context, start)
    _domain_charts(summary, context, start)
    print_setup(summary, title_rows=None)


# Columns of the domain table under the summary: the charts read them.
DOMAIN_HEADERS = 6  # domain, score, median, 25th, 75th, interquartile range


def _profile_table(ws: Worksheet, context: ReportContext, start: int) -> None:
    """The level profile: how many criteria sit at each level, per domain and overall."""
    headers = [_("Level profile"), *context.level_labels, _("N/A"), _("Not answered")]
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=column)
        protect(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for offset, line in enumerate(context.profile, start=1):
        label = f"{line.code} {line.title}" if line.code else line.title
        for column, value in enumerate([label, *line.counts, line.na, line.unanswered], start=1):
            protect(ws.cell(row=start + offset, column=column), value)


def _domain_table(ws: Worksheet, context: ReportContext, start: int) -> None:
    """Domain scores with the peer figures, below the facts: the charts' data.

    Peer figures are the report context's, already cut to what this audience may see:
    a withheld quartile leaves its cells, and so its band in the chart, empty."""
    headers = [
        _("Domain"),
        _("Score"),
        _("Peer median"),
        _("Peer 25th percentile"),
        _("Peer 75th percentile"),
        _("Peer interquartile range (75th − 25th)"),
    ]
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=column)
        protect(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    for offset, d in enumerate(context.domains, start=1):
        spread = None
        if d.peer_p25 is not None and d.peer_p75 is not None:
            spread = float((display(d.peer_p75, 1) - display(d.peer_p25, 1)) / 100)
        values = [
            f"{d.code} {d.title}",
            percent(d.score),
            percent(d.peer_median),
            percent(d.peer_p25),
            percent(d.peer_p75),
            spread,
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=start + offset, column=column)
            protect(cell, value)
            cell.alignment = WRAP
            if column > 1:
                cell.number_format = PERCENT
    for column, header in enumerate(headers[2:], start=3):
        ws.column_dimensions[get_column_letter(column)].width = header_width(header, 16)
    fit_rows(ws, start, start + len(context.domains))


def _domain_charts(ws: Worksheet, context: ReportContext, start: int) -> None:
    """Native charts, so the figures stay live in Excel: a radar and the peer range."""
    end = start + len(context.domains)
    # As in the PDF: a radar would draw a withheld median at 0, so the medians are drawn
    # only when every domain has one.
    has_medians = context.benchmark.selected is not None and all(
        d.peer_median is not None for d in context.domains
    )
    categories = Reference(ws, min_col=1, min_row=start + 1, max_row=end)
    anchor_column = get_column_letter(DOMAIN_HEADERS + 2)
    if len(context.domains) >= 3:
        radar = RadarChart()
        radar.type = "marker"
        radar.title = _("Domain scores")
        radar.add_data(
            Reference(ws, min_col=2, max_col=3 if has_medians else 2, min_row=start, max_row=end),
            titles_from_data=True,
        )
        radar.set_categories(categories)
        _percent_axis(radar.y_axis)
        radar.height, radar.width = 9, 14
        ws.add_chart(radar, f"{anchor_column}{start}")
    ws.add_chart(range_chart(ws, context, start), f"{anchor_column}{start + 20}")


def _percent_axis(axis: Any) -> None:
    axis.scaling.min = 0
    axis.scaling.max = 1
    axis.majorUnit = 0.2
    axis.number_format = "0%"
    axis.delete = False


def _series(ws: Worksheet, column: int, start: int, end: int, title: str) -> Series:
    series = Series(Reference(ws, min_col=column, min_row=start + 1, max_row=end))
    series.tx = SeriesLabel(v=title)
    return series


def range_chart(ws: Worksheet, context: ReportContext, start: int) -> BarChart:
    """ "Domain scores and the peer range": the peers' middle half as a band (an invisible
    bar up to the 25th percentile with a visible one up to the 75th stacked on it), and
    the institution as markers, domains in rubric order, mirrored for right-to-left."""
    end = start + len(context.domains)
    has_ranges = context.benchmark.selected is not None and any(
        d.peer_p25 is not None and d.peer_p75 is not None for d in context.domains
    )
    has_medians = context.benchmark.selected is not None and any(
        d.peer_median is not None for d in context.domains
    )
    categories = Reference(ws, min_col=1, min_row=start + 1, max_row=end)
    bars = BarChart()
    bars.type = "col"
    bars.title = _("Domain scores and the peer range")
    if has_ranges:
        bars.grouping = "stacked"
        bars.overlap = 100
        base = _series(ws, 4, start, end, _("Peer 25th percentile"))
        base.graphicalProperties = GraphicalProperties(noFill=True)
        base.graphicalProperties.line = LineProperties(noFill=True)
        band = _series(ws, 6, start, end, _("Peers, 25th–75th percentile"))
        band.graphicalProperties = GraphicalProperties(solidFill=PEER_BAND_COLOUR)
        bars.series = [base, band]
        # The invisible base has nothing to show in the legend.
        bars.legend.legendEntry = [LegendEntry(idx=0, delete=True)]
        marks = LineChart()
        own = _series(ws, 2, start, end, context.institution.name)
        own.marker = Marker(
            symbol="diamond",
            size=9,
            spPr=GraphicalProperties(solidFill=INSTITUTION_COLOUR),
        )
        own.graphicalProperties = GraphicalProperties()
        own.graphicalProperties.line = LineProperties(noFill=True)
        marks.series = [own]
        if has_medians:
            median = _series(ws, 3, start, end, _("Peer median"))
            median.marker = Marker(
                symbol="dash", size=9, spPr=GraphicalProperties(solidFill=PEER_MEDIAN_COLOUR)
            )
            median.graphicalProperties = GraphicalProperties()
            median.graphicalProperties.line = LineProperties(noFill=True)
            marks.series.append(median)
        marks.set_categories(categories)
        bars.set_categories(categories)
        charts = [bars, marks]
        bars += marks
    else:
        own = _series(ws, 2, start, end, context.institution.name)
        own.graphicalProperties = GraphicalProperties(solidFill=INSTITUTION_COLOUR)
        bars.series = [own]
        bars.set_categories(categories)
        charts = [bars]
    rtl = get_language_bidi()
    for chart in charts:
        _percent_axis(chart.y_axis)
        chart.x_axis.delete = False
        chart.x_axis.tickLblSkip = 1  # every domain named, however many
        chart.x_axis.tickMarkSkip = 1
        if rtl:
            # Categories run right to left; the value axis still crosses at the first
            # category (its default), which now stands on the right.
            chart.x_axis.scaling.orientation = "maxMin"
    bars.height, bars.width = 10, max(16, min(40, 2.4 * len(context.domains)))
    return bars


def _scores_sheet(wb: Workbook, context: ReportContext) -> None:
    scores = _sheet(
        wb,
        _("Scores"),
        [
            _("Domain"),
            _("Code"),
            _("Criterion"),
            _("Self-assessed level"),
            _("Validated level") if context.is_validated else _("Reviewer's proposed level"),
            _("Score"),
            _("Weight"),
            _("Critical"),
            _("Justification"),
            _("Reviewer's comment"),
            _("Evidence"),
        ],
        [10, 9, 60, 22, 22, 10, 9, 10, 60, 40, 40],
    )
    for c in context.criteria:
        evidence = "\n".join([e.original_name for e in c.evidence] + c.links)
        _row(
            scores,
            [
                c.domain_code,
                c.code,
                c.text,
                c.self_level,
                # Only where the reviewer's level differs, so changes stand out.
                c.reviewed_level if c.review_differs else "",
                percent(c.score),
                float(c.weight),
                _("yes") if c.critical else "",
                c.justification,
                c.review_comment,
                evidence,
            ],
            pct_columns=(6,),
        )
    _finish(scores)


def _plan_sheet(wb: Workbook, context: ReportContext) -> None:
    effort = context.version.has_effort
    plan = _sheet(
        wb,
        _("Action plan"),
        [
            _("Priority"),
            _("Tier"),
            _("Code"),
            _("Criterion"),
            _("Current level"),
            _("Target"),
            _("Action"),
            _("Owner"),
            _("Due date"),
            _("Status"),
            _("Reviewer's comment"),
            *([_("Effort"), _("Effort (hours)")] if effort else []),
        ],
        [9, 22, 9, 50, 18, 18, 60, 20, 12, 14, 40, *([24, 12] if effort else [])],
    )
    for line in context.plan:
        _row(
            plan,
            [
                line.rank,
                line.tier_label,
                line.code,
                line.criterion,
                line.current_label,
                line.target_label,
                line.action,
                line.owner,
                line.due_date,
                line.status_label,
                line.reviewer_comment,
                *([line.effort, _hours(line.effort_hours)] if effort else []),
            ],
        )
        if line.due_date:
            plan.cell(row=plan.max_row, column=9).number_format = "yyyy-mm-dd"
    _finish(plan)
    total = context.plan_effort
    if effort and total is not None and context.plan:
        # Below the table, outside its filter: sorting the actions leaves the total alone.
        start = plan.max_row + 2
        for offset, (label, value) in enumerate(
            (
                (_("Estimated work of the open actions (hours)"), _hours(total.hours)),
                (
                    _("Open actions with an estimate in hours"),
                    _("%(estimated)s of %(actions)s")
                    % {"estimated": total.estimated, "actions": total.actions},
                ),
            )
        ):
            protect(plan.cell(row=start + offset, column=1), label).font = HEADER_FONT
            protect(plan.cell(row=start + offset, column=4), value)


def _hours(value: Any) -> Any:
    """Hours as a plain number (never the percentage format), or None."""
    return None if value is None else scoring.canonical_number(value)


def _perspectives_sheet(wb: Workbook, context: ReportContext) -> None:
    """Domain scores per rater perspective (those with at least 3 raters), side by side."""
    headers = [_("Domain"), _("Score")] + [
        ngettext(
            "%(perspective)s (%(count)s rater)", "%(perspective)s (%(count)s raters)", p.raters
        )
        % {"perspective": p.label, "count": p.raters}
        for p in context.perspectives
    ]
    ws = _sheet(wb, _("Perspectives"), headers, [40] + [18] * (len(headers) - 1))
    columns = tuple(range(2, len(headers) + 1))
    for d in context.domains:
        _row(
            ws,
            [f"{d.code} {d.title}", percent(d.score)]
            + [percent(p.domains.get(d.code)) for p in context.perspectives],
            columns,
        )
    _row(
        ws,
        [_("Overall"), percent(context.result.score)]
        + [percent(p.overall) for p in context.perspectives],
        columns,
    )
    _finish(ws)


def _benchmark_sheet(wb: Workbook, context: ReportContext, g: GroupFigures) -> None:
    # Institution users' sheets have no minimum or maximum columns at all: each is one
    # institution's score, and an empty column would only invite a question.
    extremes = not context.benchmark.anonymous
    headers = [
        _("Measure"),
        "n",
        _("Mean"),
        _("Median"),
        _("25th percentile"),
        _("75th percentile"),
        *([_("Minimum"), _("Maximum")] if extremes else []),
        _("Your percentile rank"),
    ]
    widths = [40, 6, 10, 10, 14, 14, *([10, 10] if extremes else []), 18]
    sheet = _sheet(wb, _("Benchmark"), headers, widths)
    _row(sheet, [f"{g.label} {g.explanation}".strip()])
    rows = [(_("Overall"), g.overall)] + [
        (f"{d.code} {d.title}", g.domains.get(d.code)) for d in context.domains
    ]
    reasons_at: list[int] = []
    for label, figures in rows:
        if figures is None or not figures.shown:
            # a suppressed or empty figure shows as its label, with the reason if withheld
            _row(sheet, [label, None, figures.reason if figures and figures.reason else None])
            if figures and figures.reason:
                reasons_at.append(sheet.max_row)
            continue
        s: Summary = figures.summary
        _row(
            sheet,
            [
                label,
                s.n,
                percent(s.mean),
                percent(s.median),
                percent(s.p25),
                percent(s.p75),
                *([percent(s.min), percent(s.max)] if extremes else []),
                percent(figures.rank),
            ],
            pct_columns=tuple(range(3, len(headers) + 1)),
        )
    if context.benchmark.anonymous:
        reasons = sorted({r for _l, f in rows if f for r in f.withheld.values()})
        for reason in reasons:
            _row(sheet, [reason])
    _finish(sheet)
    # A reason spans the figure columns it stands for, so it reads as a sentence.
    last = get_column_letter(len(headers))
    width = sum(
        sheet.column_dimensions[get_column_letter(c)].width for c in range(3, len(headers) + 1)
    )
    for row in reasons_at:
        sheet.merge_cells(f"C{row}:{last}{row}")
        sheet.row_dimensions[row].height = row_points(
            [(sheet.cell(row=row, column=3).value, width)]
        )


@dataclass(frozen=True)
class ComparisonSheet:
    """Everything the comparison export shows, already in the export's language."""

    title: str
    filters: list[tuple[str, str]]  # (label, value) of each filter and selection applied
    domains: list[tuple[str, str]]  # (code, title) in rubric order
    peers: list[Peer]
    country_names: dict[str, str]
    region_names: dict[str, str]
    extras: ComparisonExtras
    status_names: dict[str, str]


def _comparison_headers(sheet: ComparisonSheet) -> list[str]:
    change = (
        _("Change since %(cycle)s (percentage points)") % {"cycle": sheet.extras.previous_cycle}
        if sheet.extras.previous_cycle
        else _("Change since the previous cycle (percentage points)")
    )
    return [
        _("Code"),
        _("Institution"),
        _("Country"),
        _("Region"),
        _("Status"),
        _("Overall"),
        change,
        *[f"{code} {title}".strip() for code, title in sheet.domains],
    ]


# Columns of the comparison table (1-based): the scores start at OVERALL_COLUMN.
OVERALL_COLUMN = 6
CHANGE_COLUMN = 7
FIRST_DOMAIN_COLUMN = 8


def render_comparison_xlsx(sheet: ComparisonSheet) -> bytes:
    """Institutions as rows, overall and domains as columns, with the group's figures.

    Write-only mode keeps memory flat for hundreds of institutions: every row and column
    property is set before the rows are streamed.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Comparison")[:31])
    ws.sheet_view.rightToLeft = get_language_bidi()
    codes = [code for code, _title in sheet.domains]
    headers = _comparison_headers(sheet)
    # Column A holds the codes and, above the table, the filters' labels.
    label_width = max((header_width(label, 10) for label, _value in sheet.filters), default=10)
    widths = [min(label_width, 24), 40, 20, 20, 16, 11, 16, *([14] * len(codes))]
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(column)].width = header_width(header, width)
    header_row = len(sheet.filters) + 3  # title, filters, one empty row
    first, last = header_row + 1, header_row + len(sheet.peers)
    last_column = get_column_letter(len(headers))
    ws.row_dimensions[header_row].height = row_points(
        [(h, ws.column_dimensions[get_column_letter(i)].width) for i, h in enumerate(headers, 1)]
    )
    ws.freeze_panes = f"C{first}"
    print_setup(ws, title_rows=f"{header_row}:{header_row}")
    if sheet.peers:
        ws.auto_filter.ref = f"A{header_row}:{last_column}{last}"
        _heat_rules(
            ws,
            f"{get_column_letter(OVERALL_COLUMN)}{first}:{get_column_letter(OVERALL_COLUMN)}{last}",
        )
        if codes:
            _heat_rules(ws, f"{get_column_letter(FIRST_DOMAIN_COLUMN)}{first}:{last_column}{last}")

    # Rows are streamed: their heights are set before they are written.
    for row, (label, value) in enumerate(sheet.filters, start=2):
        ws.row_dimensions[row].height = row_points([(label, widths[0]), (value, widths[1])])
    rows = _RowStream(ws)
    rows.append([sheet.title], bold=True)
    for label, value in sheet.filters:
        rows.append([label, value])
    rows.append([])
    rows.append(headers, bold=True)
    for peer in sheet.peers:
        rows.append(_peer_values(sheet, peer, codes), percent_from=5)
    rows.append([])
    _comparison_figures(rows, sheet.peers, codes)
    if sheet.peers:
        _comparison_chart(ws, header_row, len(sheet.peers), len(headers))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _peer_values(sheet: ComparisonSheet, peer: Peer, codes: list[str]) -> list[Any]:
    previous = sheet.extras.previous_overall.get(peer.institution_id)
    change = None
    if previous is not None and peer.overall is not None:
        change = float((display(peer.overall, 1) - display(previous, 1)) / 100)
    status = sheet.extras.statuses.get(peer.assessment_id, "")
    return [
        peer.code,
        peer.name,
        sheet.country_names.get(peer.country, peer.country),
        sheet.region_names.get(peer.region, peer.region),
        sheet.status_names.get(status, status),
        percent(peer.overall),
        change,
        *[percent(peer.domains.get(c)) for c in codes],
    ]


def _heat_rules(ws: Any, cells: str) -> None:
    """The comparison page's heat colours, by the same bands, on the score cells."""
    top_left = cells.split(":", 1)[0]
    for band in heat_bands():
        tests = [f"ISNUMBER({top_left})"]
        if band.low is not None:
            tests.append(f"{top_left}>={band.low / 100}")
        if band.high is not None:
            tests.append(f"{top_left}<{band.high / 100}")
        ws.conditional_formatting.add(
            cells,
            FormulaRule(
                formula=[f"AND({','.join(tests)})"],
                fill=PatternFill("solid", start_color=band.colour, end_color=band.colour),
            ),
        )


class _StreamCell(Cell):
    """A cell whose style was registered with the workbook when it was given: openpyxl
    would otherwise look every written cell's style up again."""

    __slots__ = ("_style_id",)

    @property
    def style_id(self) -> int:
        return self._style_id

    @property
    def has_style(self) -> bool:
        return True  # every cell of the stream wraps


class _RowStream:
    """Rows of formula-safe, styled cells streamed into a write-only sheet.

    The comparison export writes every cell with a style (wrapped text, percentages), and
    openpyxl's own way to do so cost three times the plain cells' writing: each style
    assignment hashes the style object into the workbook's lists, each written cell
    looks its style up again, and ``append`` takes a styled cell only after failing to
    read it as a value (an exception per cell). Here each distinct style is built and
    registered once and shared by the cells that have it (none changes it afterwards),
    and the sheet takes the rows given as cells already. A write-only sheet writes a row
    out before ``append`` returns, so one set of cells serves every row. The file is the
    one openpyxl writes from the same cells appended its own way:
    tests/reports/test_comparison_xlsx.py compares them.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._cell_styles = ws.parent._cell_styles  # the workbook's: a style's id
        self._cells: list[_StreamCell] = []
        self._styles: dict[tuple[bool, str | None], list[Any]] = {}
        # Replaces the sheet's conversion of appended values into cells (a private method
        # of openpyxl's write-only sheet): every row appended here holds cells.
        ws._values_to_row = self._positioned

    @staticmethod
    def _positioned(cells: list[Any], row: int) -> Any:
        for column, cell in enumerate(cells, start=1):
            cell.row, cell.column = row, column
            yield cell

    def _style(self, bold: bool, number_format: str | None) -> list[Any]:
        """[the shared style array, its id] of wrapped cells, bold headers or a number
        format; the id is None until a cell has the style, as openpyxl numbers the styles
        in the order it first writes them."""
        key = (bold, number_format)
        style = self._styles.get(key)
        if style is None:
            template = WriteOnlyCell(self.ws)
            template.alignment = WRAP
            if bold:
                template.font = HEADER_FONT
                template.fill = HEADER_FILL
            if number_format is not None:
                template.number_format = number_format
            style = self._styles[key] = [template._style, None]
        return style

    def append(
        self, values: list[Any], *, bold: bool = False, percent_from: int | None = None
    ) -> None:
        """One row; from ``percent_from`` (0-based) on, fractions are shown as percentages."""
        cells = self._cells
        while len(cells) < len(values):
            cells.append(_StreamCell(self.ws, row=1, column=1))
        row = cells[: len(values)]
        if percent_from is None:
            percent_from = len(values)
        for index, (cell, value) in enumerate(zip(row, values, strict=True)):
            number_format = None
            if isinstance(value, str):
                value = cell_text(value)
                if is_risky(value):
                    cell._style = copy(self._style(bold, None)[0])
                    _protect(cell, value)  # sets the quote prefix on the cell's own style
                    cell._style_id = self._cell_styles.add(cell._style)
                    continue
            elif index >= percent_from and isinstance(value, float):
                number_format = PERCENT_CHANGE if index == CHANGE_COLUMN - 1 else PERCENT
            style = self._style(bold, number_format)
            if style[1] is None:
                style[1] = self._cell_styles.add(style[0])
            cell._style, cell._style_id = style
            cell.value = value
        self.ws.append(row)


def _comparison_figures(rows: _RowStream, peers: list[Peer], codes: list[str]) -> None:
    """The group's n, mean, median, quartiles and range under the table, column by column."""
    from qa_tool.benchmarks.statistics import summarise

    stats = {
        "overall": summarise([p.overall for p in peers if p.overall is not None]),
        **{
            c: summarise([p.domains[c] for p in peers if p.domains.get(c) is not None])
            for c in codes
        },
    }
    for label, attribute in (
        ("n", "n"),
        (_("Mean"), "mean"),
        (_("Median"), "median"),
        (_("25th percentile"), "p25"),
        (_("75th percentile"), "p75"),
        (_("Minimum"), "min"),
        (_("Maximum"), "max"),
    ):
        values = [getattr(stats[key], attribute) for key in ["overall", *codes]]
        values = [v if attribute == "n" else percent(v) for v in values]
        overall, *domains = values
        rows.append(["", label, "", "", "", overall, None, *domains], percent_from=5)


def _comparison_chart(ws: Any, header_row: int, peer_count: int, column_count: int) -> None:
    first, last = header_row + 1, header_row + peer_count
    chart = BarChart()
    chart.type = "col"
    chart.title = _("Overall score by institution")
    _percent_axis(chart.y_axis)
    chart.x_axis.delete = False
    chart.add_data(
        Reference(ws, min_col=OVERALL_COLUMN, min_row=header_row, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width = max(15, min(60, peer_count * 0.6))
    # Institution codes slanted, so that each stays whole under its bar.
    chart.x_axis.txPr = RichText(
        bodyPr=RichTextProperties(rot=-2700000, vert="horz"),
        p=[
            Paragraph(
                pPr=ParagraphProperties(defRPr=CharacterProperties()),
                endParaRPr=CharacterProperties(),
            )
        ],
    )
    if get_language_bidi():
        chart.x_axis.scaling.orientation = "maxMin"  # the value axis follows to the right
    ws.add_chart(chart, f"{get_column_letter(column_count + 2)}{header_row}")
