"""Clients: a person, known for life by their phone number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import Language
from dreamland.lib.models import TimestampedModel, enum_check


class Client(TimestampedModel):
    """`clients`: `phone` is E.164 and unique; see `dreamland.clients.services` for how it is set."""

    name = models.CharField(_("name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    email = models.EmailField(_("email"), max_length=254, null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, null=True, blank=True
    )
    notes = models.TextField(_("notes"), null=True, blank=True)
    # WhatsApp's business-scoped user id (2026): lets a later message that carries only the
    # BSUID and no phone be tied to this client.
    whatsapp_user_id = models.CharField(
        _("WhatsApp user ID"), max_length=128, null=True, blank=True, unique=True
    )

    class Meta:
        db_table = "clients"
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["-created_at"]
        indexes = [
            # Customer acquisition reports (clients by creation date).
            models.Index(fields=["created_at"], name="clients_created_at_idx"),
            # Client list and API /clients newest first with the keyset cursor; an agent's page
            # walks it and checks each client's leads (`api.access`) until 50 are visible.
            models.Index(
                models.F("created_at").desc(), models.F("id").desc(), name="clients_created_id_idx"
            ),
            # Name search, `UPPER(name) LIKE UPPER('%…%')`: a PostgreSQL trigram index,
            # clients_name_trgm_idx, made by migration 0003 (SQLite scans).
        ]
        constraints = [enum_check("clients", "preferred_language", Language.values)]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"
