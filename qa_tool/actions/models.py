"""Action plans: one improvement action per criterion of an assessment below the top level."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment
from rubrics.models import Criterion

from . import priorities


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


# Actions still to be done: the plan's effort total counts these.
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class Tier(models.IntegerChoices):
    FAILS_PASS_RULE = priorities.TIER_FAILS_PASS_RULE, _("Critical — fails the pass rule")
    CRITICAL = priorities.TIER_CRITICAL, _("Critical")
    IMPROVEMENT = priorities.TIER_IMPROVEMENT, _("Improvement")


class ActionItem(models.Model):
    """An action of an assessment's plan.

    A blank ``text`` means "the rubric's recommendation for the current level",
    shown in the reader's language; the officer's own words replace it once written.
    ``current_value``, ``tier``, ``rank`` and ``gain`` are refreshed each time the
    plan is (re)generated; everything the officer edits is kept.
    """

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("assessment"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    text = models.TextField(
        _("action"),
        blank=True,
        default="",
        help_text=_("Leave empty to use the rubric's recommendation."),
    )
    owner = models.CharField(_("owner"), max_length=200, blank=True, default="")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    current_value = models.DecimalField(_("current level"), max_digits=9, decimal_places=4)
    target_value = models.DecimalField(_("target level"), max_digits=9, decimal_places=4)
    tier = models.PositiveSmallIntegerField(_("priority"), choices=Tier.choices)
    rank = models.PositiveIntegerField(_("rank"))
    gain = models.DecimalField(
        _("gain"),
        max_digits=9,
        decimal_places=4,
        help_text=_("Percentage points of the overall score if raised to the top level."),
    )
    reviewer_comment = models.TextField(_("reviewer's comment"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["assessment", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_action_per_criterion"
            )
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.criterion_id} #{self.rank}"
