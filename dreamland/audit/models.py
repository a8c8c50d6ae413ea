"""The audit trail: one row per changed field of a lead, booking or payment (SPEC §2).

Written only by the domain services (`dreamland.audit.services.audit_record`), inside their
transaction, so a change and its record are committed together or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dreamland.lib.models import enum_check


class AuditEntity(models.TextChoices):
    LEAD = "lead", _("Lead")
    BOOKING = "booking", _("Booking")
    PAYMENT = "payment", _("Payment")


class AuditEntry(models.Model):
    """`audit_entries`: who changed which field of what, when, from `before` to `after`.

    Values are stored as text in a stable, language-neutral form (status codes, `123.00 KZT`,
    a person's or departure's name at the time); `dreamland.audit.display` labels them.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    entity = models.CharField(_("object"), max_length=16, choices=AuditEntity)
    field = models.CharField(_("field"), max_length=32)
    before = models.TextField(_("before"), blank=True, default="")
    after = models.TextField(_("after"), blank=True, default="")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booking"),
    )
    payment = models.ForeignKey(
        "bookings.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
    )

    class Meta:
        db_table = "audit_entries"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The trail of a lead / a booking (its payments included) / a client, newest first;
            # the board's "days in the stage" reads the lead's latest status change.
            models.Index("lead", "field", models.F("created_at").desc(), name="audit_lead_idx"),
            models.Index("booking", models.F("created_at").desc(), name="audit_booking_idx"),
            models.Index("client", models.F("created_at").desc(), name="audit_client_idx"),
        ]
        constraints = [enum_check("audit_entries", "entity", AuditEntity.values)]

    def __str__(self) -> str:
        return f"{self.entity} {self.field}: {self.before} → {self.after}"
