"""How often the data behind the reports has changed: the version the reports' cache keys name."""

from __future__ import annotations

from django.db import models


class ReportVersion(models.Model):
    """One row per topic (`reports.freshness.TOPICS`), its counter bumped after every write
    that can change a report reading that topic. A missing row is version 0."""

    topic = models.CharField(primary_key=True, max_length=16)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "report_versions"

    def __str__(self) -> str:
        return f"{self.topic}: {self.version}"
