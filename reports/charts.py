"""The charts of a report context, as plain SVG: the same code for the page and the PDF."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from qa_tool.assessments.models import Status
from qa_tool.benchmarks.charts import (
    INSTITUTION,
    PEERS,
    Series,
    Typeset,
    bar_chart,
    radar_chart,
    trend_chart,
)
from rubrics.templatetags.qa_format import decimal_text

from .context import ReportContext
from .fonts import report_families


def _f(value) -> float | None:
    return None if value is None else float(value)


def report_charts(context: ReportContext, *, for_weasyprint: bool = False) -> dict[str, str]:
    """The radar, bar and trend charts of the report, in the context's language: its
    font families first, its numbers written as the tables write them."""
    if not context.has_score:
        return {}  # a level profile has no percentages to draw
    with translation.override(context.language):
        rtl = translation.get_language_bidi()
        typeset = Typeset(fonts=report_families(context.language), number=decimal_text)
        labels = [f"{d.code} {d.title}" for d in context.domains]
        charts = {"bars": _bars(context, labels, rtl, for_weasyprint, typeset)}
        if len(context.domains) >= 3:
            charts["radar"] = _radar(context, labels, rtl, for_weasyprint, typeset)
        if len(context.trend.points) >= 2:
            charts["trend"] = _trend(context, rtl, for_weasyprint, typeset)
    return charts


def _radar(
    context: ReportContext, labels: list[str], rtl: bool, for_weasyprint: bool, typeset: Typeset
) -> str:
    domains = context.domains
    selected = context.benchmark.selected
    own_label = context.institution.name
    series = [Series(own_label, [_f(d.score) for d in domains], INSTITUTION)]
    # Medians withheld from institution users (too few peers) are None: a radar would
    # draw them at 0.
    if selected is not None and all(d.peer_median is not None for d in domains):
        series.append(
            Series(
                _("Peer median: %(group)s") % {"group": selected.label},
                [_f(d.peer_median) for d in domains],
                PEERS,
                dashed=True,
            )
        )
    return radar_chart(
        axes=labels,
        # room for lines of 18 characters: most words of a domain's title in French
        # fit on one line, and a title on three
        size=500,
        max_label_chars=36,
        series=series,
        title=_("Domain scores"),
        description=_("Domain scores of %(institution)s, in percent, against the peer median.")
        % {"institution": own_label},
        id_prefix="radar",
        rtl=rtl,
        for_weasyprint=for_weasyprint,
        typeset=typeset,
    )


def _bars(
    context: ReportContext, labels: list[str], rtl: bool, for_weasyprint: bool, typeset: Typeset
) -> str:
    domains = context.domains
    selected = context.benchmark.selected
    # A legend must not name a band or tick that withheld figures leave out.
    has_medians = selected is not None and any(d.peer_median is not None for d in domains)
    has_ranges = selected is not None and any(d.peer_p25 is not None for d in domains)
    ranges = [
        (float(d.peer_p25), float(d.peer_p75))
        if d.peer_p25 is not None and d.peer_p75 is not None
        else None
        for d in domains
    ]
    return bar_chart(
        categories=labels,
        values=[_f(d.score) for d in domains],
        ranges=ranges if has_ranges else None,
        medians=[_f(d.peer_median) for d in domains] if has_medians else None,
        title=_("Domain scores and the peer range"),
        description=_(
            "Bars: domain scores in percent. Grey band: the middle half of the peers (25th to "
            "75th percentile). Tick: peer median."
        ),
        id_prefix="bars",
        value_label=context.institution.name,
        range_label=_("Peers, 25th–75th percentile") if has_ranges else "",
        median_label=_("Peer median") if has_medians else "",
        rtl=rtl,
        for_weasyprint=for_weasyprint,
        typeset=typeset,
    )


def _trend(context: ReportContext, rtl: bool, for_weasyprint: bool, typeset: Typeset) -> str:
    points = context.trend.points
    return trend_chart(
        # A score no reviewer has validated may still change: drawn hollow, and said so.
        hollow=[p.status != Status.VALIDATED for p in points],
        hollow_label=_("not validated"),
        value_labels=True,
        cycles=[p.cycle for p in points],
        series=[Series(_("Overall score"), [_f(p.overall) for p in points], INSTITUTION)],
        title=_("Overall score across cycles"),
        description=_(
            "The institution's overall score in each cycle, in percent; hollow points are "
            "scores not validated by a reviewer."
        ),
        id_prefix="trend",
        rtl=rtl,
        for_weasyprint=for_weasyprint,
        typeset=typeset,
    )
