"""Background exports: what was asked, by whom, how far it got, and the finished file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.pk}{filename[filename.rfind('.') :]}"


class ExportJob(models.Model):
    """One background export. Its id is the URL's: random, so it cannot be guessed, and
    only the requester may see it anyway."""

    class Kind(models.TextChoices):
        BATCH = "batch", _("every report of a cycle")
        REPORT = "report", _("one report")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What to export: rubric_version, cycle, format, language (batch); assessment, format,
    # language, group (one report). Read back through the requester's access each time.
    params = models.JSONField(default=dict)
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requester", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and not self.expired
