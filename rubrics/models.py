"""Rubrics and their versions.

A version's whole normalised document is kept in ``content`` (the single
source for scoring and export); domains and criteria are also stored as rows
so that answers and later statistics can refer to them by key.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rubrics import scoring
from rubrics.i18n import localize


class Rubric(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.JSONField(_("title"), default=dict)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return self.slug

    @property
    def display_title(self) -> str:
        return localize(self.title, get_language())


class RubricVersionQuerySet(models.QuerySet):
    def offered(self) -> RubricVersionQuerySet:
        """Versions that may be chosen for a new assessment."""
        return self.filter(retired=False)


#: Parsed specs by (version pk, content hash), oldest first; a few dozen versions at most
#: are in use, the bound only keeps a long-lived process from growing without end.
SPEC_CACHE_SIZE = 64
_SPECS: dict[tuple[int, str], scoring.RubricSpec] = {}


class RubricVersion(models.Model):
    AGGREGATE_CHOICES = [
        (scoring.AGGREGATE_DOMAINS, _("weighted mean of domain scores")),
        (scoring.AGGREGATE_CRITERIA, _("weighted mean of all criteria (points)")),
    ]

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=40)
    title = models.JSONField(_("title"), default=dict)
    aggregate = models.CharField(_("aggregation"), max_length=10, choices=AGGREGATE_CHOICES)
    content = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("A retired version is no longer offered for new assessments."),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RubricVersionQuerySet.as_manager()

    class Meta:
        ordering = ["rubric__slug", "-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "version"], name="unique_rubric_version")
        ]
        verbose_name = _("rubric version")
        verbose_name_plural = _("rubric versions")

    def __str__(self) -> str:
        return f"{self.rubric.slug} {self.version}"

    @property
    def display_title(self) -> str:
        return localize(self.title, get_language())

    @cached_property
    def spec(self) -> scoring.RubricSpec:
        """The scoring view of ``content``, shared by every request of this process: a
        version's document never changes under its hash, and decoding and reading it
        (hundreds of KiB) was most of the cost of a list page. With ``content``
        deferred, a cached spec costs no query."""
        key = (self.pk, self.content_hash)
        spec = _SPECS.get(key) if self.pk and self.content_hash else None
        if spec is None:
            spec = scoring.spec_from_document(self.content)
            if self.pk and self.content_hash:
                _SPECS[key] = spec
                while len(_SPECS) > SPEC_CACHE_SIZE:
                    _SPECS.pop(next(iter(_SPECS)))
        return spec

    @property
    def scale(self) -> list[dict[str, Any]]:
        return self.content["scale"]

    @property
    def bands(self) -> list[dict[str, Any]]:
        return self.content.get("bands", [])

    @property
    def level(self) -> str:
        """``institution``, ``programme`` or ``course``: what one assessment is about."""
        return str(self.content.get("level", "institution"))

    @property
    def is_unit_level(self) -> bool:
        return self.level != "institution"

    @property
    def pass_rule(self) -> dict[str, Any] | None:
        return self.content.get("pass")

    @property
    def plan_target(self) -> str:
        """``next`` or ``top``: the level an action-plan action aims at (see ``actions``)."""
        return str(self.content.get("plan_target", "next"))

    @cached_property
    def evidence_required_codes(self) -> frozenset[str]:
        """Codes of the criteria whose submission needs an evidence link or file.

        Read from the document, the single source, rather than stored on the criterion
        rows: versions imported before the key existed need no migration."""
        return frozenset(
            c["code"]
            for d in self.content["domains"]
            for c in d["criteria"]
            if c.get("evidence_required")
        )

    @property
    def has_effort(self) -> bool:
        """Some level carries an effort estimate (``effort`` or ``effort_hours``)."""
        return any("effort" in level or "effort_hours" in level for level in self.scale)

    def scale_level(self, value: Any) -> dict[str, Any] | None:
        """The scale's entry (label, description, effort…) of a level value, or None."""
        target = scoring.exact(value)
        return next((lv for lv in self.scale if scoring.exact(lv["value"]) == target), None)

    def level_label(self, value: Any, language: str | None = None) -> str:
        level = self.scale_level(value)
        if level is None:
            return str(value)
        return localize(level["label"], language or get_language())

    def is_in_use(self) -> bool:
        return self.assessments.exists()


class Domain(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveIntegerField()
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=9, decimal_places=4)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_domain_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {localize(self.title, get_language())}"


class Criterion(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveIntegerField()
    text = models.JSONField(_("text"), default=dict)
    guidance = models.JSONField(_("guidance"), default=dict, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=9, decimal_places=4)
    critical = models.BooleanField(_("critical"), default=False)
    allow_na = models.BooleanField(_("N/A allowed"), default=False)
    descriptors = models.JSONField(_("descriptors"), default=dict, blank=True)
    recommendations = models.JSONField(_("recommendations"), default=dict, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_criterion_code")
        ]
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.code


class Crosswalk(models.Model):
    """Links from the criteria of one rubric version to those of another (a crosswalk file).

    The normalised file is kept whole in ``content``; its links name criteria by code, and
    the importer has checked every code against both versions."""

    source = models.ForeignKey(
        RubricVersion,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="crosswalks_out",
    )
    target = models.ForeignKey(
        RubricVersion,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="crosswalks_in",
    )
    title = models.JSONField(_("title"), default=dict, blank=True)
    content = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source", "target__rubric__slug", "target__version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_crosswalk_per_pair")
        ]
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def links(self) -> list[dict[str, Any]]:
        return list(self.content.get("links", []))
