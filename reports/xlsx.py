"""Excel renderings: the assessment report workbook, and the reviewers' comparison export."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import formats
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qa_tool.benchmarks.selectors import GroupFigures, Peer
from qa_tool.benchmarks.statistics import Summary
from qa_tool.core import bounds
from qa_tool.core.numbers import display_float
from rubrics import scoring

from .cells import protect as _protect
from .context import ReportContext
from .rollup_xlsx import rollup_sheet

PCT = "0.0"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
WRAP = Alignment(wrap_text=True, vertical="top")


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
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    return ws


def _row(ws: Worksheet, values: list[Any], pct_columns: tuple[int, ...] = ()) -> None:
    row = ws.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column)
        protect(cell, value)
        cell.alignment = WRAP
        if column in pct_columns:
            cell.number_format = PCT


def _finish(ws: Worksheet) -> None:
    if ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"


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
                (_("Overall score"), display_float(result.score)),
                (_("Self-assessed score"), display_float(context.self_result.score)),
                (_("Validated score"), display_float(validated.score) if validated else None),
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
        (_("Completion"), display_float(result.completion)),
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
    start = summary.max_row + 2
    if not context.has_score:
        _profile_table(summary, context, start)
        return
    _domain_table(summary, context, start)
    _domain_charts(summary, context, start)


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
    """Domain scores with the peer figures, below the facts: the charts' data."""
    headers = [
        _("Domain"),
        _("Score"),
        _("Peer median"),
        _("Peer 25th percentile"),
        _("Peer 75th percentile"),
    ]
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=column)
        protect(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for offset, d in enumerate(context.domains, start=1):
        values = [
            f"{d.code} {d.title}",
            display_float(d.score),
            display_float(d.peer_median),
            display_float(d.peer_p25),
            display_float(d.peer_p75),
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=start + offset, column=column)
            protect(cell, value)
            if column > 1:
                cell.number_format = PCT
    for letter in ("C", "D", "E"):
        ws.column_dimensions[letter].width = 16


def _domain_charts(ws: Worksheet, context: ReportContext, start: int) -> None:
    """Native charts, so the figures stay live in Excel: a radar and a bar chart."""
    end = start + len(context.domains)
    has_peers = context.benchmark.selected is not None
    categories = Reference(ws, min_col=1, min_row=start + 1, max_row=end)

    radar = RadarChart()
    radar.type = "marker"
    _place_chart(
        ws,
        radar,
        _("Domain scores"),
        f"G{start}",
        categories,
        Reference(ws, min_col=2, max_col=3 if has_peers else 2, min_row=start, max_row=end),
    )
    bars = BarChart()
    bars.type = "bar"
    _place_chart(
        ws,
        bars,
        _("Domain scores and the peer range"),
        f"G{start + 20}",
        categories,
        Reference(ws, min_col=2, max_col=5 if has_peers else 2, min_row=start, max_row=end),
    )


def _place_chart(
    ws: Worksheet, chart: Any, title: str, anchor: str, categories: Reference, data: Reference
) -> None:
    """A percentage chart (0 to 100) of ``data`` by ``categories``, placed at ``anchor``."""
    chart.title = title
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.height, chart.width = 9, 14
    ws.add_chart(chart, anchor)


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
                display_float(c.score),
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
            [f"{d.code} {d.title}", display_float(d.score)]
            + [display_float(p.domains.get(d.code)) for p in context.perspectives],
            columns,
        )
    _row(
        ws,
        [_("Overall"), display_float(context.result.score)]
        + [display_float(p.overall) for p in context.perspectives],
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
    for label, figures in rows:
        if figures is None or not figures.shown:
            # a suppressed or empty figure shows as its label, with the reason if withheld
            _row(sheet, [label, None, figures.reason if figures and figures.reason else None])
            continue
        s: Summary = figures.summary
        _row(
            sheet,
            [
                label,
                s.n,
                display_float(s.mean),
                display_float(s.median),
                display_float(s.p25),
                display_float(s.p75),
                *([display_float(s.min), display_float(s.max)] if extremes else []),
                display_float(figures.rank),
            ],
            pct_columns=tuple(range(3, len(headers) + 1)),
        )
    if context.benchmark.anonymous:
        reasons = sorted({r for _l, f in rows if f for r in f.withheld.values()})
        for reason in reasons:
            _row(sheet, [reason])
    _finish(sheet)


def render_comparison_xlsx(
    *, peers: list[Peer], domains: list[tuple[str, str]], title: str
) -> bytes:
    """Institutions as rows, overall and domains as columns, with the group's figures.

    Write-only mode keeps memory flat for hundreds of institutions.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Comparison")[:31])
    ws.sheet_view.rightToLeft = get_language_bidi()
    codes = [code for code, _title in domains]
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 42
    ws.freeze_panes = "C3"
    ws.append(_write_only_cells(ws, [title], bold=True))
    ws.append(
        _write_only_cells(
            ws,
            [_("Code"), _("Institution"), _("Country"), _("Region"), _("Overall"), *codes],
            bold=True,
        )
    )
    for peer in peers:
        values = [
            peer.code,
            peer.name,
            peer.country,
            peer.region,
            display_float(peer.overall),
            *[display_float(peer.domains.get(c)) for c in codes],
        ]
        ws.append(_write_only_cells(ws, values, pct_from=4))
    ws.append([])
    _comparison_figures(ws, peers, codes)
    if peers:
        _comparison_chart(ws, len(peers), len(codes))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_only_cells(
    ws: Any, values: list[Any], *, bold: bool = False, pct_from: int | None = None
) -> list[WriteOnlyCell]:
    row = []
    for index, value in enumerate(values):
        cell = protect(WriteOnlyCell(ws), value)
        if bold:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        if pct_from is not None and index >= pct_from and isinstance(value, float):
            cell.number_format = PCT
        row.append(cell)
    return row


def _comparison_figures(ws: Any, peers: list[Peer], codes: list[str]) -> None:
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
        values = [v if attribute == "n" else display_float(v) for v in values]
        ws.append(_write_only_cells(ws, ["", label, "", "", *values], pct_from=4))


def _comparison_chart(ws: Any, peer_count: int, domain_count: int) -> None:
    first, last = 3, 2 + peer_count
    chart = BarChart()
    chart.type = "col"
    chart.title = _("Overall score by institution")
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.add_data(Reference(ws, min_col=5, min_row=2, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width = max(15, min(60, peer_count * 0.6))
    ws.add_chart(chart, f"{get_column_letter(domain_count + 7)}3")
