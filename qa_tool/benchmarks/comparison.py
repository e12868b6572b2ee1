"""The reviewers' comparison table, read one page at a time.

The centre compares every institution with a counted score for a rubric version and
cycle. Building every institution's peer in Python to filter, sort, count and summarise
them made the page grow with the network (about 130 ms at 1,000 institutions, most of it
reading and sorting the pool). Here the database filters, sorts and pages the summaries
and counts them; for the statistics under the header it returns, per column, only the
count, the exact sum and the few ranked rows the statistics read
(``statistics.summary_positions``). The queries are the same whatever the network's size,
and the Python work is one page of rows.

The numbers are those of ``statistics.summarise`` over the same values: stored scores have
six decimals, summed as integer millionths (exact on SQLite's floating-point storage and
PostgreSQL's numeric alike), and the ranked rows are the stored values themselves.

Even so, reading every institution's scores grows with the network (about 20 ms per
thousand institutions here). So the figures of each choice of filters are stored
(``ComparisonFigures``) under the pool's current token (``PoolStamp``), which every change
to the pool replaces (``pool_changed``): the page then reads one row, and the figures are
computed again, once, after a change.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Lower, Round, RowNumber

from rubrics.models import RubricVersion

from .models import ComparisonFigures, DomainScore, PoolStamp, ScoreSummary
from .peers import PEER_FIELDS, Peer, counted_summaries, domain_scores, peers_of
from .statistics import (
    QUARTILE_PERCENTS,
    SCALE,
    Summary,
    summary_from_json,
    summary_json,
    summary_of_positions,
)

#: The structural filters, by the comparison form's field names.
FILTER_FIELDS = {
    "region": "assessment__institution__region",
    "country": "assessment__institution__country",
    "type": "assessment__institution__type",
    "size": "assessment__institution__size_band",
}
NAME = "assessment__institution__name"


@dataclass(frozen=True)
class Comparison:
    """What the page shows: the matching summaries and how many they are, the values each
    filter may take, and the statistics of every matching institution per column
    ("overall" and domain codes)."""

    summaries: QuerySet[ScoreSummary]
    total: int
    offered: dict[str, set[str]]
    stats: dict[str, Summary]


def comparison(
    *, rubric_version_id: int, cycle_id: int, codes: list[str], filters: dict[str, str]
) -> Comparison:
    """The comparison of this version and cycle narrowed by ``filters`` (form field ->
    value; "" for any). Filter values no institution has are dropped, as the form drops
    them from its choices. The figures are read from their stored row while the pool is
    unchanged, and computed and stored otherwise."""
    pool = counted_summaries(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
    token = pool_token(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
    where: dict[str, Any] = {
        "rubric_version_id": rubric_version_id,
        "cycle_id": cycle_id,
        "filters": filters_key(filters),
    }
    stored = ComparisonFigures.objects.filter(**where).values_list("token", "figures").first()
    if stored is not None and stored[0] == token and stored[1].get("codes") == codes:
        figures = stored[1]
    else:
        figures = figures_store(
            rubric_version_id=rubric_version_id,
            cycle_id=cycle_id,
            codes=codes,
            filters=filters,
            token=token,
        )
    chosen = {FILTER_FIELDS[name]: value for name, value in figures["chosen"].items()}
    return Comparison(
        summaries=pool.filter(**chosen),
        total=figures["total"],
        offered={name: set(values) for name, values in figures["offered"].items()},
        stats={code: summary_from_json(data) for code, data in figures["stats"].items()},
    )


def figures_store(
    *,
    rubric_version_id: int,
    cycle_id: int,
    codes: list[str],
    filters: dict[str, str],
    token: uuid.UUID,
) -> dict[str, Any]:
    """Compute the comparison's figures from the pool as it is now and store them under
    ``token``, the pool's token read before computing (a change meanwhile replaces it, and
    the figures are computed again when next read)."""
    pool = counted_summaries(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
    figures = figures_json(pool, codes=codes, filters=filters)
    with suppress(IntegrityError), transaction.atomic():
        # A request computing the same figures at the same time wrote them first.
        ComparisonFigures.objects.update_or_create(
            rubric_version_id=rubric_version_id,
            cycle_id=cycle_id,
            filters=filters_key(filters),
            defaults={"token": token, "figures": figures},
        )
    return figures


def filters_key(filters: dict[str, str]) -> str:
    """The stored row's name for a choice of filters ("" for none)."""
    return urlencode(sorted((name, value) for name, value in filters.items() if value))


def figures_json(
    pool: QuerySet[ScoreSummary], *, codes: list[str], filters: dict[str, str]
) -> dict[str, Any]:
    """The comparison's figures computed from ``pool``, as stored: exact fractions as
    strings, the filters kept (those some institution has) and the domain codes."""
    offered = offered_values(pool)
    chosen = {
        name: value
        for name, value in filters.items()
        if value and name in FILTER_FIELDS and value in offered[name]
    }
    summaries = pool.filter(**{FILTER_FIELDS[name]: value for name, value in chosen.items()})
    return {
        "codes": codes,
        "chosen": chosen,
        "total": summaries.count(),
        "offered": {name: sorted(values) for name, values in offered.items()},
        "stats": {
            code: summary_json(summary)
            for code, summary in column_summaries(summaries, codes).items()
        },
    }


def pool_token(*, rubric_version_id: int, cycle_id: int) -> uuid.UUID:
    """The pool's current token (see ``PoolStamp``)."""
    stamp, _created = PoolStamp.objects.get_or_create(
        rubric_version_id=rubric_version_id, cycle_id=cycle_id
    )
    return stamp.token


def pool_changed(*, rubric_version_id: int | None = None, cycle_id: int | None = None) -> None:
    """A new token for the pool of this version and cycle, or for every pool (an
    institution's name or structural fields may have changed): figures stored under the
    old one are computed again when next read. A pool whose comparison has been looked at
    has its unfiltered figures recomputed by the worker once the change is committed
    (``tasks.store_comparison_figures``), so that reviewers seldom wait for them."""
    stamps = PoolStamp.objects.all()
    if rubric_version_id is not None and cycle_id is not None:
        PoolStamp.objects.update_or_create(
            rubric_version_id=rubric_version_id,
            cycle_id=cycle_id,
            defaults={"token": uuid.uuid4()},
        )
        stamps = stamps.filter(rubric_version_id=rubric_version_id, cycle_id=cycle_id)
    else:
        stamps.update(token=uuid.uuid4())
    viewed = ComparisonFigures.objects.filter(
        rubric_version_id=OuterRef("rubric_version_id"), cycle_id=OuterRef("cycle_id"), filters=""
    )
    waiting = list(
        stamps.filter(Exists(viewed), refresh_queued=False).values_list(
            "pk", "rubric_version_id", "cycle_id"
        )
    )
    if not waiting:
        return
    from .tasks import store_comparison_figures

    PoolStamp.objects.filter(pk__in=[pk for pk, _version, _cycle in waiting]).update(
        refresh_queued=True
    )
    for _pk, version_id, pool_cycle_id in waiting:
        transaction.on_commit(partial(store_comparison_figures.enqueue, version_id, pool_cycle_id))


def comparison_refresh(*, rubric_version_id: int, cycle_id: int) -> None:
    """Store the unfiltered comparison of the pool as it is now (the worker's task)."""
    PoolStamp.objects.filter(rubric_version_id=rubric_version_id, cycle_id=cycle_id).update(
        refresh_queued=False  # a change from now on asks for another refresh
    )
    version = RubricVersion.objects.filter(pk=rubric_version_id).first()
    if version is None:
        return
    figures_store(
        rubric_version_id=rubric_version_id,
        cycle_id=cycle_id,
        codes=[domain.code for domain in version.spec.domains],
        filters={},
        token=pool_token(rubric_version_id=rubric_version_id, cycle_id=cycle_id),
    )


def offered_values(summaries: QuerySet[ScoreSummary]) -> dict[str, set[str]]:
    """Each filter's values held by some institution of ``summaries`` (one query)."""
    offered: dict[str, set[str]] = {name: set() for name in FILTER_FIELDS}
    combinations = summaries.order_by().values_list(*FILTER_FIELDS.values()).distinct()
    for values in combinations:
        for name, value in zip(FILTER_FIELDS, values, strict=True):
            offered[name].add(str(value))
    return offered


def ordered(
    summaries: QuerySet[ScoreSummary], *, sort: str, descending: bool
) -> QuerySet[ScoreSummary]:
    """``summaries`` by name, overall score or a domain's score; missing scores always
    last, ties by name."""
    by_name = [Lower(NAME).desc() if descending and sort == "name" else Lower(NAME), "pk"]
    if sort == "name":
        return summaries.order_by(*by_name)
    if sort == "overall":
        key = F("overall")
    else:
        domain = DomainScore.objects.filter(summary=OuterRef("pk"), code=sort)
        summaries = summaries.annotate(sort_score=Subquery(domain.values("score")[:1]))
        key = F("sort_score")
    first = key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
    return summaries.order_by(first, *by_name)


def page_peers(summaries: Any) -> list[Peer]:
    """The peers of one page of summaries (an evaluated slice): two queries."""
    rows = list(summaries.values(*PEER_FIELDS))
    return peers_of(rows, domain_scores([row["pk"] for row in rows]))


def _millionths(field: str) -> ExpressionWrapper:
    # Rounded before summing: SQLite stores the six decimals as a binary float.
    return ExpressionWrapper(Round(F(field) * Value(SCALE)), output_field=BigIntegerField())


def _ranked(rows: QuerySet[Any], field: str, *, partition: str | None = None) -> QuerySet[Any]:
    """The rows of ``rows`` a summary of ``field`` reads (``summary_positions``), each with
    its rank, its group's count and its group's exact sum in millionths: one sort and one
    scan in the database, whatever the number of rows. Positions are those of
    ``summary_positions``, written in SQL (integer division is floor for these
    non-negative numbers on SQLite and PostgreSQL alike)."""
    window: dict[str, Any] = {"partition_by": F(partition)} if partition else {}
    ranked = rows.filter(**{f"{field}__isnull": False}).annotate(
        rank=Window(RowNumber(), order_by=F(field).asc(), **window),
        n=Window(Count("pk"), **window),
        total=Window(Sum(_millionths(field)), **window),
    )
    last = F("n") - 1
    wanted = Q(rank=1) | Q(rank=F("n"))
    for percent in QUARTILE_PERCENTS:
        lower = last * percent / 100
        wanted |= Q(rank=lower + 1) | Q(rank=lower + 2)
    return ranked.filter(wanted)


def column_summaries(summaries: QuerySet[ScoreSummary], codes: list[str]) -> dict[str, Summary]:
    """``summarise`` of the overall score and of each domain's score over ``summaries``, in
    two queries (overall, domains), each returning at most eight rows per column."""
    plain = summaries.order_by()
    found: dict[str, tuple[int, int, dict[int, Fraction]]] = {}

    def keep(key: str, rank: int, n: int, total: Any, value: Any) -> None:
        # Row numbers are from 1; positions from 0.
        found.setdefault(key, (n, int(total), {}))[2][rank - 1] = Fraction(value)

    for rank, n, total, value in _ranked(plain, "overall").values_list(
        "rank", "n", "total", "overall"
    ):
        keep("overall", rank, n, total, value)
    domains = DomainScore.objects.filter(summary__in=plain, code__in=codes)
    for code, rank, n, total, value in _ranked(domains, "score", partition="code").values_list(
        "code", "rank", "n", "total", "score"
    ):
        keep(code, rank, n, total, value)
    summaries_by_key = {}
    for key in ["overall", *codes]:
        n, total, values = found.get(key, (0, 0, {}))
        summaries_by_key[key] = summary_of_positions(n, Fraction(total, SCALE), values)
    return summaries_by_key
