"""Settings an admin changes at run time, without a deploy: one row (`workplace_settings`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.lib.models import TimestampedModel

SINGLETON_ID = 1


class WorkplaceSettings(TimestampedModel):
    """The one row of stored settings; a NULL column means "as the environment says"."""

    # NULL: follow the `LEAD_ROUND_ROBIN` environment variable (settings.LEAD_ROUND_ROBIN).
    lead_round_robin = models.BooleanField(_("round-robin assignment"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        db_table = "workplace_settings"
        verbose_name = _("workplace settings")
        verbose_name_plural = _("workplace settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=SINGLETON_ID), name="workplace_settings_singleton"
            )
        ]

    def __str__(self) -> str:
        return str(_("workplace settings"))
