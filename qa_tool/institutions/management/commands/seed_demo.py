"""Demo data: fictional institutions, one user per role, two cycles of submitted assessments.

Idempotent: existing rows are left as they are, so a second run changes nothing.
Ratings are pseudo-random but fixed by a seed per institution, so every
installation shows the same demo.
"""

import random
import zlib
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qa_tool.actions.models import ActionItem, ActionStatus
from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.models import Assessment, Cycle, Response, Status
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
)
from qa_tool.institutions.models import Institution, Role, User
from rubrics.document import RubricFileError
from rubrics.models import RubricVersion
from rubrics.services import rubric_import

LIBRARY = Path(__file__).resolve().parents[4] / "rubrics" / "library"
INSTITUTION_RUBRIC = "obtl-institution"
COURSE_RUBRIC = "obtl-course-review"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo log-in, see README

# code, name, country, region, type, size band, delivery mode, maturity (0..3)
INSTITUTIONS = [
    (
        "KE-HSU",
        "Highland Savannah University",
        "KE",
        "east-africa",
        "public",
        "large",
        "blended",
        2.0,
    ),
    (
        "KE-LCP",
        "Lakeside Crescent Polytechnic University",
        "KE",
        "east-africa",
        "public",
        "medium",
        "campus",
        1.4,
    ),
    ("KE-AOU", "Acacia Open University", "KE", "east-africa", "private", "small", "online", 2.3),
    (
        "ET-RVU",
        "Rift Valley Highlands University",
        "ET",
        "east-africa",
        "public",
        "very-large",
        "campus",
        1.2,
    ),
    (
        "ET-BIT",
        "Blue Ridge Institute of Technology",
        "ET",
        "east-africa",
        "public",
        "large",
        "blended",
        1.6,
    ),
    ("ET-SCC", "Sheba Crossroads College", "ET", "east-africa", "private", "small", "campus", 0.9),
    ("UG-PLU", "Papyrus Lake University", "UG", "east-africa", "public", "large", "blended", 1.7),
    (
        "UG-MHU",
        "Mountain Hills University of Science",
        "UG",
        "east-africa",
        "private",
        "medium",
        "blended",
        1.9,
    ),
    (
        "UG-ECC",
        "Equator Coast Christian University",
        "UG",
        "east-africa",
        "private",
        "small",
        "campus",
        1.1,
    ),
    (
        "DJ-GTU",
        "Gulf of Tadjoura University",
        "DJ",
        "east-africa",
        "public",
        "small",
        "campus",
        1.0,
    ),
    (
        "NG-SRU",
        "Savannah River University",
        "NG",
        "west-africa",
        "public",
        "very-large",
        "campus",
        1.3,
    ),
    (
        "NG-CPU",
        "Cocoa Plateau University",
        "NG",
        "west-africa",
        "public",
        "very-large",
        "blended",
        1.8,
    ),
    (
        "NG-ADL",
        "Atlantic Distance Learning University",
        "NG",
        "west-africa",
        "private",
        "large",
        "online",
        2.4,
    ),
    (
        "NG-HBU",
        "Harmattan Breeze University",
        "NG",
        "west-africa",
        "private",
        "medium",
        "blended",
        1.5,
    ),
    (
        "GM-RBU",
        "River Banks University College",
        "GM",
        "west-africa",
        "public",
        "small",
        "campus",
        1.0,
    ),
    ("CI-LAU", "Lagoon Academy University", "CI", "west-africa", "public", "large", "blended", 1.6),
    ("CI-PVU", "Palm Valley Polytechnic", "CI", "west-africa", "private", "medium", "campus", 1.2),
    (
        "CI-ISN",
        "Ivory Sands Numerical Institute",
        "CI",
        "west-africa",
        "private",
        "small",
        "online",
        2.1,
    ),
    (
        "EG-DRU",
        "Delta Reed University",
        "EG",
        "north-africa",
        "public",
        "very-large",
        "blended",
        1.9,
    ),
    ("EG-OSU", "Oasis Stars University", "EG", "north-africa", "private", "medium", "blended", 2.2),
    (
        "EG-PTI",
        "Pharos Technical Institute",
        "EG",
        "north-africa",
        "public",
        "large",
        "campus",
        1.4,
    ),
    (
        "EG-SDU",
        "Sand Dune Open University",
        "EG",
        "north-africa",
        "private",
        "small",
        "online",
        2.5,
    ),
    ("CN-JRU", "Jade River University", "CN", "east-asia", "public", "very-large", "blended", 2.5),
    (
        "CN-BMI",
        "Bamboo Mountain Institute of Education",
        "CN",
        "east-asia",
        "public",
        "large",
        "blended",
        2.2,
    ),
    (
        "CN-SPU",
        "Silk Plains Polytechnic University",
        "CN",
        "east-asia",
        "public",
        "large",
        "campus",
        1.9,
    ),
    (
        "CN-COU",
        "Cloud Orchard Open University",
        "CN",
        "east-asia",
        "public",
        "very-large",
        "online",
        2.6,
    ),
    ("MN-STU", "Steppe Horizon University", "MN", "east-asia", "public", "medium", "campus", 1.3),
    (
        "MN-BSC",
        "Blue Sky College of Technology",
        "MN",
        "east-asia",
        "private",
        "small",
        "blended",
        1.5,
    ),
    ("PK-IRU", "Indus Ridge University", "PK", "south-asia", "public", "very-large", "campus", 1.4),
    (
        "PK-KVU",
        "Karakoram Valley Virtual University",
        "PK",
        "south-asia",
        "public",
        "large",
        "online",
        2.0,
    ),
    ("PK-LMC", "Lotus Meadow College", "PK", "south-asia", "private", "small", "campus", 1.1),
    ("LK-CTU", "Cinnamon Trail University", "LK", "south-asia", "public", "medium", "blended", 1.8),
    ("LK-MBI", "Monsoon Bay Institute", "LK", "south-asia", "private", "small", "blended", 1.6),
    (
        "KH-MRU",
        "Mekong Rice Fields University",
        "KH",
        "southeast-asia",
        "public",
        "medium",
        "campus",
        1.2,
    ),
    (
        "KH-ATU",
        "Angkor Terrace Technical University",
        "KH",
        "southeast-asia",
        "private",
        "small",
        "blended",
        1.4,
    ),
    (
        "ID-AVU",
        "Archipelago Volcano University",
        "ID",
        "southeast-asia",
        "public",
        "very-large",
        "blended",
        2.0,
    ),
    (
        "ID-CSU",
        "Coral Strait University",
        "ID",
        "southeast-asia",
        "private",
        "large",
        "online",
        2.2,
    ),
    (
        "ID-TGI",
        "Teak Grove Institute of Technology",
        "ID",
        "southeast-asia",
        "public",
        "medium",
        "campus",
        1.5,
    ),
]

# username, first name, last name, role, institution code, superuser
USERS = [
    ("admin", "Amina", "Okafor", Role.ADMIN, None, True),
    ("reviewer", "Li", "Wei", Role.REVIEWER, None, False),
    ("officer", "Grace", "Wanjiru", Role.OFFICER, "KE-HSU", False),
    ("dean", "Samuel", "Kiptoo", Role.LEADER, "KE-HSU", False),
    ("officer2", "Youssef", "Hassan", Role.OFFICER, "EG-OSU", False),
    ("dean2", "Mariam", "Fathy", Role.LEADER, "EG-OSU", False),
]

CYCLES = [("2025", False), ("2026", True)]

JUSTIFICATIONS = [
    "Policy approved by the academic board; implementation report attached.",
    "Evidence in the annual teaching and learning report.",
    "Partly in place in two faculties; roll-out to the others is planned.",
    "Pilot completed last semester; results reviewed by the quality committee.",
    "Survey of students and staff conducted; summary available on request.",
    "Procedures documented but not yet applied consistently.",
    "Confirmed by the external reviewer's visit report.",
    "Not yet started; included in next year's plan.",
]


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(parts).encode()))


def _ratings(version: RubricVersion, code: str, cycle: str, maturity: float) -> dict:
    rng = _rng(code, cycle, version.rubric.slug)
    scale = [level["value"] for level in version.scale]
    top = scale[-1]
    drift = 0.0 if cycle == CYCLES[0][0] else 0.3  # institutions improve between cycles
    answers = {}
    for domain_index, domain in enumerate(version.content["domains"]):
        domain_rng = _rng(code, domain["code"])
        offset = domain_rng.uniform(-0.6, 0.6) + (0.2 if domain_index % 3 == 0 else 0)
        for criterion in domain["criteria"]:
            if criterion["allow_na"] and rng.random() < 0.15:
                answers[criterion["code"]] = AnswerInput(
                    na=True, justification="Does not apply here."
                )
                continue
            target = (maturity + drift + offset) * top / 3 + rng.gauss(0, 0.6 * top / 3)
            value = min(scale, key=lambda v, t=target: abs(v - t))
            answers[criterion["code"]] = AnswerInput(
                value=Decimal(str(value)), justification=rng.choice(JUSTIFICATIONS)
            )
    return answers


class Command(BaseCommand):
    help = "Load fictional demo institutions, users and assessments (idempotent)."

    def handle(self, *args, **options):
        files = sorted(LIBRARY.glob("*.yaml"))
        try:
            rubric_import(files=[(f.name, f.read_bytes()) for f in files])
        except RubricFileError as exc:
            raise CommandError(f"the shipped rubrics do not import:\n{exc}") from None
        version = (
            RubricVersion.objects.filter(rubric__slug=INSTITUTION_RUBRIC).order_by("-pk").first()
        )
        course = RubricVersion.objects.filter(rubric__slug=COURSE_RUBRIC).order_by("-pk").first()
        if version is None:
            raise CommandError(f"rubric {INSTITUTION_RUBRIC} is missing from {LIBRARY}")

        with transaction.atomic():
            institutions = self._institutions()
            self._users(institutions)
            cycles = {
                name: Cycle.objects.get_or_create(name=name, defaults={"is_open": is_open})[0]
                for name, is_open in CYCLES
            }
            created = 0
            for code, *_rest, maturity in INSTITUTIONS:
                for cycle_name, _is_open in CYCLES:
                    created += self._assessment(
                        institutions[code], version, cycles[cycle_name], maturity, submit=True
                    )
            self._review_and_plans(institutions, version, cycles)
            if course is not None:
                # A course review in progress for the demo officer.
                created += self._assessment(
                    institutions["KE-HSU"], course, cycles["2026"], 2.0, submit=False, partial=True
                )
        self.stdout.write(
            f"{len(INSTITUTIONS)} institutions, {len(USERS)} users, {created} new assessment(s)."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo log-ins (password for all: {DEMO_PASSWORD}):"))
        for username, first, last, role, code, _superuser in USERS:
            where = f" at {code}" if code else ""
            self.stdout.write(f"  {username:<10} {role.label}{where} ({first} {last})")

    def _institutions(self) -> dict[str, Institution]:
        out = {}
        for code, name, country, region, kind, size, mode, _maturity in INSTITUTIONS:
            out[code], _ = Institution.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "country": country,
                    "region": region,
                    "type": kind,
                    "size_band": size,
                    "delivery_mode": mode,
                },
            )
        return out

    def _users(self, institutions: dict[str, Institution]) -> None:
        for username, first, last, role, code, superuser in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "role": role,
                    "institution": institutions[code] if code else None,
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])

    def _review_and_plans(self, institutions, version, cycles) -> None:
        """Validate a third of the first cycle (the reviewer lowers one level), and give the
        demo institutions an action plan in both cycles, the first one half done."""
        reviewer = User.objects.get(username="reviewer")
        officer = User.objects.get(username="officer")
        first = cycles[CYCLES[0][0]]
        for index, (code, *_rest) in enumerate(INSTITUTIONS):
            assessment = Assessment.objects.get(
                institution=institutions[code], rubric_version=version, cycle=first
            )
            if index % 3 or assessment.status != Status.SUBMITTED:
                continue
            rated = (
                Response.objects.filter(assessment=assessment, value__gt=0)
                .select_related("criterion")
                .order_by("-value", "criterion__position")
                .first()
            )
            if rated is not None:
                assessment_save_review(
                    assessment=assessment,
                    reviews={
                        rated.criterion.code: ReviewInput(
                            value=rated.value - 1,
                            comment="The evidence supports one level lower.",
                        )
                    },
                    actor=reviewer,
                )
            assessment_validate(assessment=assessment, actor=reviewer, comment="Validated.")
        for code in ("KE-HSU", "EG-OSU"):
            for cycle_name, _is_open in CYCLES:
                assessment = Assessment.objects.get(
                    institution=institutions[code], rubric_version=version, cycle=cycles[cycle_name]
                )
                if ActionItem.objects.filter(assessment=assessment).exists():
                    continue
                action_plan_generate(assessment=assessment, actor=officer)
                if cycle_name == CYCLES[0][0]:
                    items = list(ActionItem.objects.filter(assessment=assessment).order_by("rank"))
                    for position, item in enumerate(items):
                        item.status = [
                            ActionStatus.DONE,
                            ActionStatus.IN_PROGRESS,
                            ActionStatus.PLANNED,
                        ][position % 3]
                        item.owner = [
                            "Deputy Vice-Chancellor (Academic)",
                            "Head of e-learning",
                            "Quality office",
                        ][position % 3]
                    ActionItem.objects.bulk_update(items, ["status", "owner"])

    def _assessment(
        self, institution, version, cycle, maturity, *, submit: bool, partial=False
    ) -> int:
        if Assessment.objects.filter(
            institution=institution, rubric_version=version, cycle=cycle
        ).exists():
            return 0
        assessment, _ = assessment_start(
            institution=institution, rubric_version=version, cycle=cycle
        )
        answers = _ratings(version, institution.code, cycle.name, maturity)
        if partial:
            answers = dict(list(answers.items())[: len(answers) // 2])
        assessment_save_answers(assessment=assessment, answers=answers, source="demo")
        if submit:
            assessment_submit(assessment=assessment, source="demo")
        return 1
