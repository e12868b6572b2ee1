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
from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Count,
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

from .models import ComparisonFigures, DomainScore, PoolStamp, ScoreSummary
from .peers import PEER_FIELDS, Peer, counted_summaries, domain_scores, peers_of
from .statistics import (
    SCALE,
    Summary,
    summary_from_json,
    summary_json,
    summary_of_positions,
    summary_positions,
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
    key = urlencode(sorted((name, value) for name, value in filters.items() if value))
    where: dict[str, Any] = {
        "rubric_version_id": rubric_version_id,
        "cycle_id": cycle_id,
        "filters": key,
    }
    stored = ComparisonFigures.objects.filter(**where).values_list("token", "figures").first()
    if stored is not None and stored[0] == token and stored[1].get("codes") == codes:
        figures = stored[1]
    else:
        figures = figures_json(pool, codes=codes, filters=filters)
        with suppress(IntegrityError), transaction.atomic():
            # A request computing the same figures at the same time wrote them first.
            ComparisonFigures.objects.update_or_create(
                **where, defaults={"token": token, "figures": figures}
            )
    chosen = {FILTER_FIELDS[name]: value for name, value in figures["chosen"].items()}
    return Comparison(
        summaries=pool.filter(**chosen),
        total=figures["total"],
        offered={name: set(values) for name, values in figures["offered"].items()},
        stats={code: summary_from_json(data) for code, data in figures["stats"].items()},
    )


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
    old one are computed again when next read."""
    if rubric_version_id is None or cycle_id is None:
        PoolStamp.objects.update(token=uuid.uuid4())
        return
    PoolStamp.objects.update_or_create(
        rubric_version_id=rubric_version_id, cycle_id=cycle_id, defaults={"token": uuid.uuid4()}
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


def column_summaries(summaries: QuerySet[ScoreSummary], codes: list[str]) -> dict[str, Summary]:
    """``summarise`` of the overall score and of each domain's score over ``summaries``, in
    four queries: counts and sums, then the ranked rows the statistics read."""
    plain = summaries.order_by()
    overall = plain.filter(overall__isnull=False).aggregate(
        n=Count("pk"), total=Sum(_millionths("overall"))
    )
    domains = DomainScore.objects.filter(summary__in=plain, code__in=codes, score__isnull=False)
    totals: dict[str, tuple[int, int]] = {"overall": (overall["n"], int(overall["total"] or 0))}
    for code, n, total in (
        domains.order_by()
        .values("code")
        .annotate(n=Count("pk"), total=Sum(_millionths("score")))
        .values_list("code", "n", "total")
    ):
        totals[code] = (n, int(total or 0))
    # Row numbers are from 1; positions from 0.
    picked: dict[str, dict[int, Fraction]] = {key: {} for key in ["overall", *codes]}
    wanted = summary_positions(totals["overall"][0])
    if wanted:
        ranked = plain.filter(overall__isnull=False).annotate(
            rank=Window(RowNumber(), order_by=F("overall").asc())
        )
        for rank, value in ranked.filter(rank__in=[i + 1 for i in wanted]).values_list(
            "rank", "overall"
        ):
            if value is not None:  # filtered out above; for the type checker
                picked["overall"][rank - 1] = Fraction(value)
    which = Q()
    for code in codes:
        positions = summary_positions(totals.get(code, (0, 0))[0])
        if positions:
            which |= Q(code=code, rank__in=[i + 1 for i in positions])
    if which:
        ranked_domains = domains.annotate(
            rank=Window(RowNumber(), partition_by=F("code"), order_by=F("score").asc())
        )
        for code, rank, value in ranked_domains.filter(which).values_list("code", "rank", "score"):
            if value is not None:
                picked[code][rank - 1] = Fraction(value)
    return {
        key: summary_of_positions(
            totals.get(key, (0, 0))[0],
            Fraction(totals.get(key, (0, 0))[1], SCALE),
            picked[key],
        )
        for key in ["overall", *codes]
    }
