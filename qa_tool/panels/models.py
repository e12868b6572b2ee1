"""Review panels: several raters rate an assessment independently; the lead confirms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment
from rubrics.models import Criterion


class PanelKind(models.TextChoices):
    SELF = "self", _("Self-assessment panel")
    EXTERNAL = "external", _("External review panel")


class Perspective(models.TextChoices):
    NONE = "", _("No perspective")
    LEADERSHIP = "leadership", _("Leadership")
    TEACHING = "teaching", _("Teaching staff")
    SUPPORT = "support", _("Support staff")
    STUDENTS = "students", _("Students")
    EXTERNAL = "external", _("External")


class Panel(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="panel")
    kind = models.CharField(_("kind"), max_length=10, choices=PanelKind.choices)
    # Who set it up and confirms the final levels; None for a panel read from a file.
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self) -> str:
        return f"{self.assessment} · {self.kind}"


class Rater(models.Model):
    """A panel member: a user of the tool, or a label for raters read from a file."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="raters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="panel_seats",
        verbose_name=_("person"),
    )
    label = models.CharField(_("name"), max_length=100, blank=True, default="")
    perspective = models.CharField(
        _("perspective"), max_length=20, choices=Perspective.choices, blank=True, default=""
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "user"], condition=Q(user__isnull=False), name="one_seat_per_user"
            ),
            models.UniqueConstraint(
                fields=["panel", "label"], condition=~Q(label=""), name="one_seat_per_label"
            ),
        ]
        verbose_name = _("rater")
        verbose_name_plural = _("raters")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.user_id is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.label

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Rating(models.Model):
    """One rater's level for one criterion (a value, N/A, or nothing yet).

    It reads like an assessment's answer row (``value``, ``is_na``, ``justification``,
    ``revision``), so the filling wizard can show and save it.
    """

    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("level"), max_digits=9, decimal_places=4, null=True, blank=True)
    is_na = models.BooleanField(_("not applicable"), default=False)
    justification = models.TextField(_("justification"), blank=True, default="")
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    # What the wizard reads on an answer row; a rating has no evidence and no review.
    evidence_links = ""
    links: list[str] = []
    review_comment = ""
    reviewed_value = None
    reviewed_na = False

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "criterion"], name="one_rating_per_criterion"),
            models.CheckConstraint(
                condition=Q(is_na=False) | Q(value__isnull=True), name="rating_na_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater_id}:{self.criterion_id}"

    @property
    def is_answered(self) -> bool:
        return self.is_na or self.value is not None


class FinalLevel(models.Model):
    """The lead's confirmed level for a criterion: the consensus, or another with a reason."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="finals")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("level"), max_digits=9, decimal_places=4, null=True, blank=True)
    is_na = models.BooleanField(_("not applicable"), default=False)
    consensus_value = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    consensus_na = models.BooleanField(default=False)
    justification = models.TextField(_("justification"), blank=True, default="")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel", "criterion"], name="one_final_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.panel_id}:{self.criterion_id}"

    @property
    def overridden(self) -> bool:
        return (self.value, self.is_na) != (self.consensus_value, self.consensus_na)
