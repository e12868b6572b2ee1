"""The reviewers' comparison table, read one page at a time.

The centre compares every institution with a counted score for a rubric version and
cycle. Building every institution's peer in Python to filter, sort, count and summarise
them made the page grow with the network (about 130 ms at 1,000 institutions, most of it
reading and sorting the pool). Here the database filters, sorts and pages the summaries
and counts them, and the Python work of a page is its rows.

The statistics under the header are those of ``statistics.summarise`` over the same
values: stored scores have six decimals, read as integer millionths (exact on SQLite's
floating-point storage and PostgreSQL's numeric alike).

Reading every institution's scores still grows with the network (about 20 ms per
thousand institutions here). So the figures of each choice of filters are stored
(``ComparisonFigures``) under the pool's current token (``PoolStamp``), which every change
to the pool replaces (``pool_changed``): the page then reads one row, and the figures are
computed again, once, after a change.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Lower, Round

from rubrics.models import RubricVersion

from .models import ComparisonFigures, DomainScore, PoolStamp, ScoreSummary
from .peers import PEER_FIELDS, Peer, counted_summaries, domain_scores, peers_of
from .statistics import SCALE, Summary, summarise_millionths, summary_from_json, summary_json

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


def _millionths(field: str) -> Cast:
    # Rounded: SQLite stores the six decimals as a binary float. Cast to an integer type:
    # PostgreSQL's driver would otherwise build a Decimal for each of 50,000 numerics.
    return Cast(Round(F(field) * Value(SCALE)), output_field=BigIntegerField())


def column_summaries(summaries: QuerySet[ScoreSummary], codes: list[str]) -> dict[str, Summary]:
    """``summarise`` of the overall score and of each domain's score over ``summaries``.

    Two queries return the scores as integer millionths, read straight from the cursor:
    at 5,000 institutions the 50,000 domain scores took 60 ms this way, against 140 ms
    ranked by the database's window functions and 120 ms as ``Decimal`` objects.
    """
    plain = summaries.order_by()
    overall = plain.filter(overall__isnull=False).annotate(m=_millionths("overall"))
    domains = (
        DomainScore.objects.filter(summary__in=plain, code__in=codes, score__isnull=False)
        .annotate(m=_millionths("score"))
        .values_list("code", "m")
    )
    by_column: dict[str, list[int]] = {key: [] for key in ["overall", *codes]}
    by_column["overall"] = [int(m) for (m,) in _rows(overall.values_list("m"))]
    for code, m in _rows(domains):
        by_column[code].append(int(m))
    return {key: summarise_millionths(values) for key, values in by_column.items()}


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The query's rows as the driver returns them, without a converter call per value:
    they are codes and whole numbers."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
