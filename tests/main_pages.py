"""The main pages of the application, as the demo data (``seed_demo``) has them, with who sees them.

Shared by the phone and accessibility browser test and by the page-weight test, so that both
walk the same pages. Add a page here when you add one to the application.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qa_tool.assessments.models import Assessment, Status
from qa_tool.institutions.models import User
from qa_tool.panels.models import PanelKind
from qa_tool.panels.services import panel_create, rater_add


@dataclass(frozen=True)
class MainPage:
    name: str
    user: Any  # the User who visits it, or None for a page seen before log-in
    path: str


class Pages(list):
    def by_user(self) -> Iterator[tuple[Any, list[MainPage]]]:
        """Pages grouped by visitor, in order, so that each visitor signs in once."""
        for _key, group in groupby(self, key=lambda p: p.user.pk if p.user else 0):
            items = list(group)
            yield items[0].user, items


def main_pages() -> Pages:
    users = {u.username: u for u in User.objects.all()}
    officer, dean, reviewer, admin = (users[n] for n in ("officer", "dean", "reviewer", "admin"))
    mine = Assessment.objects.filter(institution=officer.institution).select_related(
        "rubric_version__rubric"
    )
    draft = mine.filter(status__in=[Status.DRAFT, Status.RETURNED]).order_by("-pk").first()
    validated = mine.filter(status=Status.VALIDATED).order_by("-pk").first()
    submitted = (
        Assessment.objects.filter(status=Status.SUBMITTED)
        .select_related("rubric_version")
        .order_by("pk")
        .first()
    )
    assert draft and validated and submitted, "seed_demo has changed: update tests/main_pages.py"
    panel_on(draft, lead=officer, raters=[dean])
    first_domain = draft.rubric_version.domains.order_by("position", "pk").first()
    submitted_domain = submitted.rubric_version.domains.order_by("position", "pk").first()
    version = validated.rubric_version

    def page(name: str, user: Any, url: str, *args: Any) -> MainPage:
        return MainPage(name, user, reverse(url, args=args))

    listed = Pages(
        [
            page("login", None, "login"),
            page("dashboard-officer", officer, "dashboard"),
            page("wizard-step", officer, "assessments:fill_step", draft.pk, first_domain.code),
            page("wizard-review-step", officer, "assessments:fill_step", draft.pk, "review"),
            page("results", officer, "assessments:score", validated.pk),
            page("history", officer, "assessments:history", validated.pk),
            page("action-plan", officer, "actions:plan", validated.pk),
            page("workbook-upload", officer, "reports:workbook_upload", draft.pk),
            page("rubric-library", officer, "rubrics:library"),
            page(
                "rubric-version", officer, "rubrics:version", version.rubric.slug, version.version
            ),
            page("sessions", officer, "accounts:sessions"),
            page("two-factor", officer, "accounts:two_factor"),
            page("dashboard-dean", dean, "dashboard"),
            page("results-dean", dean, "assessments:score", validated.pk),
            page("dashboard-reviewer", reviewer, "dashboard"),
            page("review-queue", reviewer, "assessments:review_queue"),
            page("review", reviewer, "assessments:review", submitted.pk),
            page("compare", reviewer, "benchmarks:compare"),
            page(
                "drill-down",
                reviewer,
                "benchmarks:drill_down",
                submitted.pk,
                submitted_domain.code,
            ),
            page(
                "releases",
                reviewer,
                "benchmarks:releases",
                submitted.rubric_version_id,
                submitted.cycle_id,
            ),
            page("dashboard-admin", admin, "dashboard"),
            page("sign-ins", admin, "accounts:sign_ins"),
            page("rubric-import", admin, "rubrics:import"),
            page(
                "rubric-scoring", officer, "rubrics:scoring", version.rubric.slug, version.version
            ),
            page("panel", officer, "panels:panel", draft.pk),
            page("panel-disagreement", officer, "panels:disagreement", draft.pk),
            page("panel-rate", dean, "panels:rate", draft.pk),
            page(
                "institution-people", admin, "accounts:institution_people", officer.institution_id
            ),
            page("password-reset", None, "password_reset"),
        ]
    )
    return Pages(listed + discovered(listed, [admin, reviewer, officer]))


def panel_on(assessment: Assessment, *, lead: Any, raters: list[Any]) -> None:
    """A self-assessment panel on ``assessment`` (the demo has none), so its pages are seen."""
    if hasattr(assessment, "panel"):
        return
    panel = panel_create(assessment=assessment, kind=PanelKind.SELF, lead=lead)
    for user in raters:
        rater_add(panel=panel, actor=lead, user=user)


def _routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, bool]]:
    """(name, takes arguments) of every named route, namespaces included."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            takes = bool(pattern.pattern.converters)
            for route, route_takes in _routes(pattern.url_patterns, name):
                yield route, takes or route_takes
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (
                (f"{namespace}:" if namespace else "") + pattern.name,
                bool(pattern.pattern.converters),
            )


def discovered(listed: list[MainPage], users: list[Any]) -> list[MainPage]:
    """Pages without arguments that are not listed yet (added by later work): each HTML page
    that one of ``users`` can open, so that new list pages are checked without editing this."""
    known = {page.path for page in listed}
    found = []
    for name, takes_arguments in sorted(set(_routes(get_resolver().url_patterns))):
        if takes_arguments or name.startswith("admin:"):
            continue
        path = reverse(name)
        if path in known:
            continue
        for user in users:
            client = Client()
            client.force_login(user)
            response = client.get(path)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                found.append(MainPage(name.replace(":", "-").replace("_", "-"), user, path))
                break
    # Grouped by visitor, as by_user() expects.
    return sorted(found, key=lambda p: p.user.pk)
