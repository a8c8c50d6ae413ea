"""Model building blocks shared by every domain app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    """`created_at`/`updated_at` on every table, with database defaults so raw inserts work too."""

    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, db_default=Now(), editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        abstract = True


def enum_check(table: str, column: str, values: Iterable[str]) -> models.CheckConstraint:
    """A CHECK constraint that keeps an enum column to its listed values (NULL stays allowed)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{column}__in": list(values)}),
        name=f"{table}_{column}_valid",
    )
