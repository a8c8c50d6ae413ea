"""API tokens: bearer credentials for integrations, stored only as a SHA-256 hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dreamland.lib.models import TimestampedModel


class ApiToken(TimestampedModel):
    """`api_tokens`: the secret is shown once; `prefix` identifies it in lists afterwards."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        pgettext_lazy("of a thing", "name"), max_length=100, blank=True, default=""
    )
    prefix = models.CharField(_("prefix"), max_length=16)
    # sha256 hex of the whole token; unique index = the lookup on every authenticated request.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        db_table = "api_tokens"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
