"""Review campaigns: one rubric version and cycle, many units' draft assessments at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qa_tool.core.refusals import Problem
from qa_tool.institutions.models import Institution, Level, Unit, UnitProgramme
from rubrics.models import RubricVersion

from ..audit import WEB, Action, audit_event, record_all
from ..models import Assessment, Campaign, Cycle, Status
from .errors import AssessmentError


def campaign_units(
    *,
    institution: Institution,
    level: str,
    programme: Unit | None = None,
    codes: list[str] | None = None,
    everything: bool = False,
) -> tuple[list[Unit], list[Problem]]:
    """The units a campaign covers: every unit of the level, the courses of a programme (or
    the programme itself for a programme rubric), and/or a list of codes; in code order."""
    units = Unit.objects.filter(institution=institution, level=level)
    problems: list[Problem] = []
    chosen: dict[int, Unit] = {}
    if everything:
        chosen.update((u.pk, u) for u in units)
    if programme is not None:
        if programme.institution_id != institution.pk or programme.level != Level.PROGRAMME:
            problems.append(Problem(_("choose a programme of the institution"), "programme"))
        elif level == Level.PROGRAMME:
            chosen[programme.pk] = programme
        else:
            courses = units.filter(
                pk__in=UnitProgramme.objects.filter(programme=programme).values("course_id")
            )
            chosen.update((u.pk, u) for u in courses)
    wanted = [c.strip() for c in (codes or []) if c.strip()]
    if wanted:
        found = {u.code: u for u in units.filter(code__in=wanted)}
        unknown = [c for c in dict.fromkeys(wanted) if c not in found]
        if unknown:
            problems.append(
                Problem(
                    _("not a %(level)s of the institution: %(codes)s")
                    % {"level": Level(level).label.lower(), "codes": ", ".join(unknown)},
                    "units",
                )
            )
        chosen.update((u.pk, u) for u in found.values())
    if not chosen and not problems:
        problems.append(Problem(_("choose at least one unit"), "units"))
    return sorted(chosen.values(), key=lambda u: u.code), problems


def campaign_create(
    *,
    institution: Institution,
    rubric_version: RubricVersion,
    cycle: Cycle,
    units: list[Unit],
    name: str = "",
    actor: Any = None,
    source: str = WEB,
) -> tuple[Campaign, int]:
    """Create the campaign and a draft assessment for each unit that has none yet for this
    rubric version and cycle (existing ones join the campaign if they belong to none).
    Returns the campaign and how many assessments were created. A fixed number of queries,
    whatever the number of units."""
    problems = _campaign_problems(
        institution=institution, rubric_version=rubric_version, cycle=cycle, units=units
    )
    if problems:
        raise AssessmentError(problems)
    who = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        campaign = Campaign.objects.create(
            institution=institution,
            rubric_version=rubric_version,
            cycle=cycle,
            name=name.strip()[:120] or f"{rubric_version.rubric.slug} {cycle.name}",
            created_by=who,
        )
        created = _campaign_assessments(campaign, units, who)
        record_all(
            audit_event(
                Action.CREATED,
                assessment=a,
                actor=who,
                source=source,
                after={"status": a.status, "campaign": campaign.name},
            )
            for a in created
        )
    return campaign, len(created)


def _campaign_problems(
    *, institution: Institution, rubric_version: RubricVersion, cycle: Cycle, units: list[Unit]
) -> list[Problem]:
    problems: list[Problem] = []
    if not rubric_version.is_unit_level:
        problems.append(
            Problem(_("a campaign needs a programme- or course-level rubric"), "rubric_version")
        )
    if not cycle.is_open:
        problems.append(Problem(_("choose an open cycle"), "cycle"))
    wrong = [
        u.code
        for u in units
        if u.institution_id != institution.pk or u.level != rubric_version.level
    ]
    if wrong:
        problems.append(
            Problem(
                _("not units of this rubric's level in the institution: %(codes)s")
                % {"codes": ", ".join(wrong)},
                "units",
            )
        )
    if not units:
        problems.append(Problem(_("choose at least one unit"), "units"))
    return problems


def _campaign_assessments(campaign: Campaign, units: list[Unit], who: Any) -> list[Assessment]:
    """Adopt the units' loose assessments of this rubric version and cycle, and create drafts
    for the rest in one query; returns only the created ones (only those get a CREATED event)."""
    existing = Assessment.objects.filter(
        institution=campaign.institution,
        rubric_version=campaign.rubric_version,
        cycle=campaign.cycle,
        subject__in=units,
    )
    existing.filter(campaign__isnull=True).update(campaign=campaign)
    have = set(existing.values_list("subject_id", flat=True))
    return Assessment.objects.bulk_create(
        Assessment(
            institution=campaign.institution,
            rubric_version=campaign.rubric_version,
            cycle=campaign.cycle,
            subject=unit,
            campaign=campaign,
            created_by=who,
            status=Status.DRAFT,
        )
        for unit in units
        if unit.pk not in have
    )
