"""The demo's action plans: generated and edited through the action plan services."""

from __future__ import annotations

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import action_plan_generate, action_update
from qa_tool.assessments.models import Assessment

from .assessments import SOURCE, Actors, latest_version
from .files import Parameters


def load_plans(*, params: Parameters, actors: Actors) -> int:
    """A plan for each listed institution in each cycle, unless it has one; the first
    cycle's put under way. Return how many plans were created."""
    version = latest_version(params.rubric)
    first_cycle = params.cycles[0].name
    created = 0
    assessments = Assessment.objects.filter(
        rubric_version=version,
        institution__code__in=params.plan_institutions,
        cycle__name__in=[c.name for c in params.cycles],
    ).select_related("institution", "cycle", "rubric_version")
    for assessment in assessments.order_by("pk"):
        # A plan that exists is the demo users' to change; leave it as it is.
        if ActionItem.objects.filter(assessment=assessment).exists():
            continue
        officer = actors.officers.get(assessment.institution.code)
        action_plan_generate(assessment=assessment, actor=officer, source=SOURCE)
        if assessment.cycle.name == first_cycle:
            _under_way(assessment, params, officer)
        created += 1
    return created


def _under_way(assessment: Assessment, params: Parameters, officer: object) -> None:
    items = ActionItem.objects.filter(assessment=assessment).select_related("criterion")
    for position, item in enumerate(items.order_by("rank")):
        # The instance already loaded: spares a query and a parse of the rubric per action.
        item.assessment = assessment
        action_update(
            item=item,
            actor=officer,
            text=item.text,
            owner=params.plan_owners[position % len(params.plan_owners)],
            due_date=item.due_date,
            status=params.plan_statuses[position % len(params.plan_statuses)],
            target_value=item.target_value,
            source=SOURCE,
        )
