"""Peer groups and their figures, read from stored score summaries.

A peer group is a fixed filter over the institutions that have a submitted or
validated assessment of the same rubric version in the same cycle: all, same
region, same country, same type, same size band, and the most similar
institutions. Institution users never see names or single scores, and only
groups with at least ``BENCHMARK_MIN_GROUP`` institutions besides their own.
Filters cannot be combined, and groups are withheld, the most specific first,
until no adding and subtracting of the shown groups' totals isolates fewer than
that many institutions (see ``disclosure.py``); then the same again for each
figure over the peers that answered it, and of each figure only the statistics
that are not one institution's score (``disclosure.disclosable``).

Institution users read a published release (``BenchmarkRelease``), never the
live pool: figures that move with every submission can be subtracted over time.

Each page reads the pool with two queries whatever its size: one for the
summaries with their institutions, one for the domain scores.
Institution users' figures of a release are stored per institution when it is published
(``released_figures``): their pages read one row instead of the pool.

The code lives in ``peers`` (the pool, live or released), ``groups`` (peer groups, their
figures and the disclosure rules) and ``trends`` (one institution across cycles); this
module is the one import point the views, reports and tests use.
"""

from __future__ import annotations

from .groups import (
    EXTREMES_WITHHELD,
    GROUP_LABELS,
    GROUPS,
    QUANTILES_WITHHELD,
    SIZE_ORDER,
    WITHHELD,
    Figures,
    GroupFigures,
    benchmarks_allowed,
    peer_groups,
    similarity_distance,
)
from .peers import (
    ComparisonExtras,
    Peer,
    comparison_extras,
    comparison_rows,
    latest_release,
    own_peer,
    peer_pool,
    release_changes,
    release_pool,
)
from .trends import Trend, TrendPoint, institution_trend

__all__ = [
    "EXTREMES_WITHHELD",
    "GROUPS",
    "GROUP_LABELS",
    "QUANTILES_WITHHELD",
    "SIZE_ORDER",
    "WITHHELD",
    "ComparisonExtras",
    "Figures",
    "GroupFigures",
    "Peer",
    "Trend",
    "TrendPoint",
    "benchmarks_allowed",
    "comparison_extras",
    "comparison_rows",
    "institution_trend",
    "latest_release",
    "own_peer",
    "peer_groups",
    "peer_pool",
    "release_changes",
    "release_pool",
    "similarity_distance",
]
