"""How often the data behind the reports has changed: the version the reports' cache keys name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportVersion(models.Model):
    """One row per topic (`lib.changes.TOPICS`), its counter bumped after every write
    that can change a report reading that topic. A missing row is version 0."""

    topic = models.CharField(_("topic"), primary_key=True, max_length=16)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        db_table = "report_versions"
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.topic}: {self.version}"
