"""Raw WhatsApp webhook deliveries, kept so that no message is ever lost (SPEC §3)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import choice_name
from dreamland.lib.models import enum_check


class EventStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("webhook status", "Received")
    PROCESSED = "processed", pgettext_lazy("webhook status", "Processed")
    FAILED = "failed", pgettext_lazy("webhook status", "Failed")
    # Something in it could not be tied to a client (a message with only a BSUID): admins look.
    UNMATCHED = "unmatched", pgettext_lazy("webhook status", "Unmatched")
    # Signed, valid JSON, but not a WhatsApp envelope: acknowledged so Meta stops retrying.
    IGNORED = "ignored", pgettext_lazy("webhook status", "Ignored")


class WebhookEvent(models.Model):
    """`whatsapp_webhook_events`: one signed POST, stored before it is processed.

    The raw bytes are kept exactly as received, so the signature can be re-checked and the event
    replayed (`manage.py replay_webhooks`) after a processing failure.
    """

    raw_body = models.BinaryField(_("raw body"))
    signature = models.CharField(_("signature header"), max_length=100, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus, default=EventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # What processing noticed but could not apply: unmatched messages, statuses of unknown wamids.
    notes = models.JSONField(_("notes"), null=True, blank=True)
    # Messages of this event not tied to a client (also when others in it were): the admin's
    # "needs attention" filter, so a processed event never hides one.
    unmatched_messages = models.PositiveIntegerField(
        _("unmatched messages"), default=0, db_default=0
    )

    class Meta:
        db_table = "whatsapp_webhook_events"
        verbose_name = _("WhatsApp webhook event")
        verbose_name_plural = _("WhatsApp webhook events")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # replay_webhooks (failed events) and the admin's status filter.
            models.Index(fields=["status", "received_at"], name="wa_events_status_idx"),
            # The worker's claim (`inbound._claim`): the few events waiting, oldest first, among
            # millions processed.
            models.Index(
                fields=["id"],
                condition=models.Q(status=EventStatus.RECEIVED),
                name="wa_events_received_idx",
            ),
        ]
        constraints = [enum_check("whatsapp_webhook_events", "status", EventStatus.values)]

    def __str__(self) -> str:
        return gettext("Webhook event #%(id)s (%(status)s)") % {
            "id": self.pk,
            "status": choice_name(EventStatus, self.status),
        }

    @property
    def body_text(self) -> str:
        return bytes(self.raw_body).decode("utf-8", errors="replace")
