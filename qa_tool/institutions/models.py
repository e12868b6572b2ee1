"""Institutions, the people who work for them, and their roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Region(models.TextChoices):
    NORTH_AFRICA = "north-africa", _("North Africa")
    WEST_AFRICA = "west-africa", _("West Africa")
    CENTRAL_AFRICA = "central-africa", _("Central Africa")
    EAST_AFRICA = "east-africa", _("East Africa")
    SOUTHERN_AFRICA = "southern-africa", _("Southern Africa")
    EAST_ASIA = "east-asia", _("East Asia")
    SOUTH_ASIA = "south-asia", _("South Asia")
    SOUTHEAST_ASIA = "southeast-asia", _("Southeast Asia")
    CENTRAL_ASIA = "central-asia", _("Central Asia")
    WEST_ASIA = "west-asia", _("West Asia")
    OTHER = "other", _("Other")


class InstitutionType(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    # Student headcount; the lower bounds are used to read a number from CSV files.
    SMALL = "small", _("Small (under 5,000 students)")
    MEDIUM = "medium", _("Medium (5,000 to 19,999 students)")
    LARGE = "large", _("Large (20,000 to 49,999 students)")
    VERY_LARGE = "very-large", _("Very large (50,000 students or more)")

    @classmethod
    def for_headcount(cls, students: int) -> SizeBand:
        if students < 5_000:
            return cls.SMALL
        if students < 20_000:
            return cls.MEDIUM
        if students < 50_000:
            return cls.LARGE
        return cls.VERY_LARGE


class DeliveryMode(models.TextChoices):
    CAMPUS = "campus", _("Mainly campus-based")
    BLENDED = "blended", _("Blended")
    ONLINE = "online", _("Mainly online or open and distance")


def institution_scope(user, field: str = "pk") -> Q:
    """The one rule of institution scoping, as a filter on ``field`` (an institution key).

    Reviewers and administrators see every institution; officers and leaders their own;
    anyone else nothing.
    """
    if not getattr(user, "is_authenticated", False) or not (
        user.sees_all_institutions or user.institution_id
    ):
        return Q(pk__in=[])
    if user.sees_all_institutions:
        return Q()
    return Q(**{field: user.institution_id})


class InstitutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> InstitutionQuerySet:
        return self.filter(institution_scope(user))


class Institution(models.Model):
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("A short unique code, e.g. EG-NDU."),
    )
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    type = models.CharField(_("type"), max_length=10, choices=InstitutionType.choices)
    size_band = models.CharField(_("size"), max_length=12, choices=SizeBand.choices)
    delivery_mode = models.CharField(
        _("delivery mode"),
        max_length=10,
        choices=DeliveryMode.choices,
        blank=True,
        help_text=_("How most teaching is delivered; used to form peer groups."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    OFFICER = "officer", _("Quality officer")
    LEADER = "leader", _("Institution leader")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Administrator")
    CONTRIBUTOR = "contributor", _("Contributor (programme coordinator, course lead)")


INSTITUTION_ROLES = (Role.OFFICER, Role.LEADER, Role.CONTRIBUTOR)


class User(AbstractUser):
    """A person. Officers and leaders belong to exactly one institution; reviewers
    and administrators work for the coordinating centre and belong to none."""

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages, e-mails and downloads are in this language."),
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in INSTITUTION_ROLES])
                | Q(institution__isnull=False),
                name="institution_role_needs_institution",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in INSTITUTION_ROLES])
                | Q(institution__isnull=True),
                name="only_institution_roles_have_institution",
            ),
        ]

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_contributor(self) -> bool:
        return self.role == Role.CONTRIBUTOR

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def sees_all_institutions(self) -> bool:
        return self.is_reviewer or self.is_administrator

    @property
    def preferred_language(self) -> str:
        """The language for this person's pages, e-mails and downloads."""
        return self.language or settings.LANGUAGE_CODE


class Level(models.TextChoices):
    """What a rubric assesses, and so what an assessment's subject is."""

    INSTITUTION = "institution", _("Institution")
    PROGRAMME = "programme", _("Programme")
    COURSE = "course", _("Course")


UNIT_LEVELS = (Level.PROGRAMME, Level.COURSE)


def unit_scope(user, field: str = "pk") -> Q:
    """The contributor rule, as a filter on ``field`` (a unit key): the units assigned to
    them and the courses of the programmes assigned to them. Everyone else: no narrowing
    (``institution_scope`` decides)."""
    if not getattr(user, "is_authenticated", False) or not user.is_contributor:
        return Q()
    assigned = ContributorAssignment.objects.filter(user_id=user.pk)
    via_programme = UnitProgramme.objects.filter(
        programme_id__in=assigned.values("unit_id")
    ).values("course_id")
    return Q(**{f"{field}__in": assigned.values("unit_id")}) | Q(**{f"{field}__in": via_programme})


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> UnitQuerySet:
        return self.filter(institution_scope(user, "institution_id")).filter(unit_scope(user))

    def programmes(self) -> UnitQuerySet:
        return self.filter(level=Level.PROGRAMME)

    def courses(self) -> UnitQuerySet:
        return self.filter(level=Level.COURSE)


class Unit(models.Model):
    """A programme or a course of an institution: what a programme- or course-level rubric
    assesses. A course may belong to several programmes, or to none."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="units")
    level = models.CharField(
        _("level"), max_length=10, choices=[(c.value, c.label) for c in UNIT_LEVELS]
    )
    code = models.CharField(
        _("code"),
        max_length=30,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
                _("Use letters, digits, dots, slashes, hyphens or underscores."),
            )
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    programmes = models.ManyToManyField(
        "self",
        through="UnitProgramme",
        through_fields=("course", "programme"),
        symmetrical=False,
        related_name="courses",
        blank=True,
        verbose_name=_("programmes"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code"], name="unit_code_unique_in_institution"
            )
        ]
        verbose_name = _("unit (programme or course)")
        verbose_name_plural = _("units (programmes and courses)")

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class UnitProgramme(models.Model):
    """A course's place in a programme."""

    course = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "programme"], name="course_in_programme_once")
        ]
        verbose_name = _("course in a programme")
        verbose_name_plural = _("courses in programmes")

    def __str__(self) -> str:
        return f"{self.course_id} in {self.programme_id}"


class ContributorAssignment(models.Model):
    """A contributor may fill the assessments of this unit (a programme: and of its courses)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="one_assignment_per_unit")
        ]
        verbose_name = _("contributor assignment")
        verbose_name_plural = _("contributor assignments")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.unit_id}"
