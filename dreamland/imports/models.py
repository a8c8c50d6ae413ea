"""An import started in the UI: the uploaded file, its preview, then the background run's progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.lib.models import TimestampedModel, enum_check


class JobStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(TimestampedModel):
    """One uploaded client list. The file is kept in the database (any worker can read it; no
    shared disk), and dropped once the import has run."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), null=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus, default=JobStatus.PREVIEW
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("new clients"), default=0)
    matched_count = models.PositiveIntegerField(_("matched clients"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    # The preview: the first rows' outcomes [{number, action, name, phone, reason}]; after the
    # run, every rejected row [{number, reason, values}] for the download.
    preview = models.JSONField(_("preview"), default=list)
    rejected = models.JSONField(_("rejected rows"), default=list)
    error = models.TextField(_("error"), blank=True, default="")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "import_jobs"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [enum_check("import_jobs", "status", JobStatus.values)]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
