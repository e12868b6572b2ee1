"""The demo's review campaigns and contributors, through the same services as real data.

A campaign that exists (same institution and name) is left as it is, so what a demo user
changed survives a restart. Each course's answers are drawn with its own seed; its status
follows the parameters' list in turn, by course code.
"""

from __future__ import annotations

from decimal import Decimal

from qa_tool.assessments.models import Assessment, Campaign, Cycle
from qa_tool.assessments.services import (
    ReviewInput,
    assessment_return,
    assessment_save_review,
    campaign_create,
    campaign_units,
)
from qa_tool.core.refusals import Problem
from qa_tool.institutions.models import Institution, Unit, User
from qa_tool.institutions.units import contributor_assign

from .assessments import SOURCE, Actors, _import, _responses, _review_and_validate, latest_version
from .files import PARAMETERS_FILE, CampaignSpec, DemoDataError, Parameters
from .ratings import lowered_review


def _fill(
    spec: CampaignSpec, params: Parameters, assessment: Assessment, status: str, actors: Actors
) -> None:
    version = assessment.rubric_version
    assert assessment.subject is not None  # a campaign's assessments all have a unit
    code = assessment.subject.code
    responses = _responses(
        params, version, f"{spec.institution}:{code}", params.cycles[-1].name, spec.maturity
    )
    officer = actors.officers.get(spec.institution)
    if status == "not_started":
        return
    if status == "draft":
        responses = dict(list(responses.items())[: len(responses) // 3])
    file_status = "submitted" if status in ("submitted", "returned", "validated") else "draft"
    done = _import(version, spec.institution, spec.cycle, file_status, responses, officer, code)
    if status == "validated":
        _review_and_validate(done, responses, params, actors.reviewer)
    elif status == "returned":
        scale = [level["value"] for level in version.scale]
        reviews = {
            c: ReviewInput(value=Decimal(str(r["value"])), comment=params.review_comment)
            for c, r in lowered_review(responses, scale).items()
        }
        if reviews:
            assessment_save_review(
                assessment=done, reviews=reviews, actor=actors.reviewer, source=SOURCE
            )
        assessment_return(
            assessment=done,
            actor=actors.reviewer,
            comment=params.review_comment,
            source=SOURCE,
        )


def load_campaigns(*, params: Parameters, actors: Actors) -> int:
    """Create the parameters' campaigns that do not exist yet; return how many."""
    created = 0
    for spec in params.campaigns:
        institution = Institution.objects.get(code=spec.institution)
        if Campaign.objects.filter(institution=institution, name=spec.name).exists():
            continue
        version = latest_version(spec.rubric)
        cycle, _new = Cycle.objects.get_or_create(name=spec.cycle)
        units: dict[int, Unit] = {}
        for code in spec.programmes:
            programme = Unit.objects.filter(institution=institution, code=code).first()
            chosen, problems = campaign_units(
                institution=institution, level=version.level, programme=programme
            )
            if problems or programme is None:
                raise DemoDataError(
                    [Problem(f"no programme {code} with units", f"{PARAMETERS_FILE}: campaigns")]
                )
            units.update((u.pk, u) for u in chosen)
        campaign, _count = campaign_create(
            institution=institution,
            rubric_version=version,
            cycle=cycle,
            units=sorted(units.values(), key=lambda u: u.code),
            name=spec.name,
            actor=actors.officers.get(spec.institution),
            source=SOURCE,
        )
        rows = Assessment.objects.filter(campaign=campaign).select_related(
            "subject", "rubric_version__rubric", "institution", "cycle"
        )
        for index, assessment in enumerate(rows.order_by("subject__code")):
            _fill(spec, params, assessment, spec.statuses[index % len(spec.statuses)], actors)
        created += 1
    return created


def load_contributors(*, params: Parameters, actors: Actors) -> None:
    """Assign the demo's contributors to their units (existing assignments stay)."""
    for username, codes in params.contributors.items():
        user = User.objects.filter(username=username).first()
        if user is None or user.institution_id is None:
            raise DemoDataError(
                [Problem(f"no person {username} in people.csv", f"{PARAMETERS_FILE}: contributors")]
            )
        for unit in Unit.objects.filter(institution_id=user.institution_id, code__in=codes):
            contributor_assign(user=user, unit=unit, actor=None)
