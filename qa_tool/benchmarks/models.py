"""Stored per-assessment score summaries: what benchmarks aggregate.

Written when an assessment is submitted, returned or validated, so peer
figures are read from one row per institution and domain instead of
re-scoring every response.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qa_tool.assessments.models import Assessment


class ScoreSummary(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("self-assessed")
        VALIDATED = "validated", _("validated")

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="score_summary"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # Scores kept with 6 decimals: enough for exact display at one decimal.
    overall = models.DecimalField(max_digits=10, decimal_places=6, null=True)
    self_overall = models.DecimalField(max_digits=10, decimal_places=6, null=True)
    completion = models.DecimalField(max_digits=10, decimal_places=6)
    band_position = models.PositiveSmallIntegerField(null=True)
    passed = models.BooleanField(null=True)
    counts = models.BooleanField(
        default=False, help_text=_("Included in benchmarks (submitted or validated).")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["counts"])]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.overall}"


class DomainScore(models.Model):
    summary = models.ForeignKey(ScoreSummary, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=20)
    score = models.DecimalField(max_digits=10, decimal_places=6, null=True)
    self_score = models.DecimalField(max_digits=10, decimal_places=6, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "code"], name="one_score_per_domain")
        ]

    def __str__(self) -> str:
        return f"{self.summary_id}:{self.code}"


class CriterionScore(models.Model):
    """One criterion's headline level in a stored summary: what roll-ups count (how many
    units rated it, at the top level, below the critical minimum) without rescoring."""

    summary = models.ForeignKey(ScoreSummary, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20)
    value = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    rated = models.BooleanField(default=False)
    at_top = models.BooleanField(default=False)
    below_critical = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "code"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.summary_id}:{self.code}"


class BenchmarkRelease(models.Model):
    """Peer figures of one rubric version and cycle as a reviewer published them.

    Institution users read only releases: live figures change with every submission,
    and the figures before and after one more institution submits give its scores away.
    """

    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["rubric_version", "cycle", "published_at"])]

    def __str__(self) -> str:
        return f"{self.rubric_version_id}/{self.cycle_id} @ {self.published_at:%Y-%m-%d %H:%M}"


class ReleasedScore(models.Model):
    """One institution's scores in a release, with the structural fields that decide its
    groups frozen too: a later change of region or size would otherwise move it between
    groups and let two views of the same release be subtracted."""

    release = models.ForeignKey(BenchmarkRelease, on_delete=models.CASCADE, related_name="scores")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    assessment_id = models.IntegerField()
    overall = models.DecimalField(max_digits=10, decimal_places=6, null=True)
    # Domain code -> score as a decimal string, or null for a domain with no answer.
    domains = models.JSONField(default=dict)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=40)
    type = models.CharField(max_length=20)
    size_band = models.CharField(max_length=20)
    delivery_mode = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "institution"], name="one_released_score_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.institution_id}"


class ReleasedFigures(models.Model):
    """One institution's peer figures in a release, as its people see them (anonymous,
    withheld groups and statistics already applied), computed when the release is
    published: reading them is one row whatever the size of the network.

    ``figures`` is ``released_figures.figures_json``: fractions as exact strings, reasons
    as flags (worded again in the reader's language).
    """

    release = models.ForeignKey(BenchmarkRelease, on_delete=models.CASCADE, related_name="figures")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    figures = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "institution"], name="one_released_figures_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.institution_id}"


class PoolStamp(models.Model):
    """A token that changes whenever the counted pool of a rubric version and cycle may
    have changed: a summary rewritten, an assessment deleted, an institution edited.
    Figures computed from the pool are stored with the token they were computed under
    (``ComparisonFigures``) and computed again once it differs: a request that read the
    pool just before a change cannot leave figures that look current."""

    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4)
    # A refresh of the stored comparison is waiting for the worker: further changes need
    # not ask for another.
    refresh_queued = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rubric_version", "cycle"], name="one_pool_stamp_per_version_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rubric_version_id}:{self.cycle_id}:{self.token}"


class ComparisonFigures(models.Model):
    """The reviewers' comparison of a rubric version and cycle under one choice of filters:
    how many institutions match, the values each filter may take and the statistics per
    column, computed from the whole pool once per pool change instead of on every page.

    ``figures`` is ``comparison.figures_json``: fractions as exact strings.
    """

    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="+")
    filters = models.CharField(max_length=200)
    token = models.UUIDField()
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rubric_version", "cycle", "filters"], name="one_comparison_per_filters"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rubric_version_id}:{self.cycle_id}:{self.filters}"
