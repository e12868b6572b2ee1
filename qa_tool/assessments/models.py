"""Assessments: an institution's answers to one rubric version in one cycle."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qa_tool.institutions.models import Institution, Unit, institution_scope, unit_scope
from rubrics.models import Criterion, RubricVersion


class Cycle(models.Model):
    """A round of assessment, named by the network (e.g. "2026")."""

    name = models.CharField(
        _("name"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
                _("Use letters, digits, spaces, dots, hyphens or underscores."),
            )
        ],
    )
    is_open = models.BooleanField(
        _("open"), default=True, help_text=_("New assessments can be started in an open cycle.")
    )

    class Meta:
        ordering = ["-name"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    VALIDATED = "validated", _("Validated")


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        """Institution scoping: an assessment is visible with its institution."""
        return self.filter(institution_scope(user, "institution_id")).filter(
            unit_scope(user, "subject_id")
        )


class Campaign(models.Model):
    """A review campaign: one rubric version, one cycle, many units' assessments at once."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="campaigns")
    rubric_version = models.ForeignKey(
        RubricVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")

    def __str__(self) -> str:
        return f"{self.institution.code} · {self.name}"


class Assessment(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="assessments"
    )
    rubric_version = models.ForeignKey(
        RubricVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    # None for an institution-level rubric; a programme or a course of the same
    # institution (of the rubric's level) otherwise.
    subject = models.ForeignKey(
        Unit,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("review campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(
        _("reviewer's comment"),
        blank=True,
        default="",
        help_text=_("The reviewer's overall comment when returning or validating."),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Who last returned or validated it: shown beside the validated result.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__name", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "rubric_version", "cycle"],
                condition=Q(subject__isnull=True),
                name="one_assessment_per_institution_rubric_cycle",
            ),
            models.UniqueConstraint(
                fields=["institution", "subject", "rubric_version", "cycle"],
                condition=Q(subject__isnull=False),
                name="one_assessment_per_subject_rubric_cycle",
            ),
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        subject = f" · {self.subject.code}" if self.subject_id else ""
        return f"{self.institution.code}{subject} · {self.rubric_version} · {self.cycle.name}"

    @property
    def subject_code(self) -> str | None:
        """The unit's code, or None for the whole institution (files and reports)."""
        return self.subject.code if self.subject_id else None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Response(models.Model):
    """One criterion's answer: a level value, N/A, or nothing yet."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("level"), max_digits=9, decimal_places=4, null=True, blank=True)
    is_na = models.BooleanField(_("not applicable"), default=False)
    justification = models.TextField(_("justification"), blank=True, default="")
    # Kept as typed, one URL per line, so nothing typed is ever lost; URLs are
    # validated when the officer moves forward and before submitting.
    evidence_links = models.TextField(_("evidence links"), blank=True, default="")
    reviewed_value = models.DecimalField(
        _("validated level"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    reviewed_na = models.BooleanField(_("validated as not applicable"), default=False)
    review_comment = models.TextField(_("reviewer's comment"), blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Incremented on every change; later saves compare it to detect overwrites.
    revision = models.PositiveIntegerField(default=0)
    # Where a justification and links were carried over from through a crosswalk (rubric,
    # version, title, criteria, assessment, cycle); empty when typed here. Never a level.
    carried_from = models.JSONField(_("carried over from"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_response_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(is_na=False) | Q(value__isnull=True), name="na_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.criterion_id}"

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is random; the original name is kept in the row for downloads.
    return f"evidence/{instance.assessment_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file attached to a criterion's answer, kept in private storage."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class AuditEvent(models.Model):
    """Who changed what and when: answers and status transitions."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        ANSWER = "answer", _("answer changed")
        EVIDENCE = "evidence", _("evidence changed")
        REVIEW = "review", _("review changed")
        PLAN = "plan", _("action plan changed")
        STATUS = "status", _("status changed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    criterion_code = models.CharField(max_length=20, blank=True, default="")
    field = models.CharField(max_length=30, blank=True, default="")
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    source = models.CharField(
        max_length=20, blank=True, default="", help_text=_("web, file import, workbook, …")
    )
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.action} {self.criterion_code} {self.field}"
