"""Reads of the units pages, each a fixed number of queries whatever the number of units."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from qa_tool.assessments.models import Assessment, Campaign, Response, Status
from qa_tool.institutions.models import ContributorAssignment, Institution, Unit

CAMPAIGN_STATUSES = ("not_started", "draft", "submitted", "returned", "validated")


def _answered() -> Exists:
    return Exists(
        Response.objects.filter(assessment=OuterRef("pk")).filter(
            Q(value__isnull=False) | Q(is_na=True)
        )
    )


def campaign_assessments(campaign: Campaign) -> QuerySet[Assessment]:
    return Assessment.objects.filter(campaign=campaign).annotate(started=_answered())


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """How many of the campaign's units are in each status (one query); a draft with no
    answer yet is "not started"."""
    counts = dict.fromkeys(CAMPAIGN_STATUSES, 0)
    for row in campaign_assessments(campaign).values("status", "started").annotate(n=Count("pk")):
        key = (
            "not_started" if row["status"] == Status.DRAFT and not row["started"] else row["status"]
        )
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def campaign_rows(campaign: Campaign, *, status: str = "", q: str = "") -> QuerySet[Assessment]:
    rows = campaign_assessments(campaign)
    if status == "not_started":
        rows = rows.filter(status=Status.DRAFT, started=False)
    elif status == "draft":
        rows = rows.filter(status=Status.DRAFT, started=True)
    elif status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(subject__code__icontains=q) | Q(subject__title__icontains=q))
    return rows.select_related("subject", "score_summary").order_by("subject__code", "pk")


def campaigns_of(institutions: QuerySet[Institution]) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(institution__in=institutions)
        .select_related("institution", "cycle", "rubric_version__rubric")
        .annotate(size=Count("assessments"))
        .order_by("-created_at", "-pk")
    )


def units_page(institution: Institution, *, level: str = "", q: str = "") -> QuerySet[Unit]:
    units = Unit.objects.filter(institution=institution)
    if level:
        units = units.filter(level=level)
    if q:
        units = units.filter(Q(code__icontains=q) | Q(title__icontains=q))
    return units.prefetch_related(
        Prefetch("programmes", queryset=Unit.objects.only("pk", "code").order_by("code")),
        Prefetch(
            "assignments",
            queryset=ContributorAssignment.objects.select_related("user").order_by(
                "user__username"
            ),
        ),
    ).order_by("level", "code")


def unit_detail(institution: Institution, unit_id: int) -> Any:
    return (
        Unit.objects.filter(institution=institution, pk=unit_id)
        .prefetch_related("programmes", "assignments__user")
        .first()
    )
