"""Communications with clients (every channel) and WhatsApp message templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dreamland.lib.choices import Language
from dreamland.lib.models import TimestampedModel, enum_check


class CommunicationType(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", "SMS"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class WhatsAppStatus(models.TextChoices):
    """Delivery state of a WhatsApp message; it only moves forward (see `STATUS_RANK`)."""

    PENDING = "pending", pgettext_lazy("message status", "Pending")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
    READ = "read", pgettext_lazy("message status", "Read")
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    RECEIVED = "received", pgettext_lazy("message status", "Received")


class Communication(TimestampedModel):
    """`communications`: one message or call, always tied to a client.

    `whatsapp_message_id` (the wamid) is unique: a message Meta delivers twice is stored once,
    even when both deliveries arrive at the same moment.
    """

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="communications",
        verbose_name=_("client"),
    )
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("lead"),
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("booking"),
    )
    communication_type = models.CharField(_("channel"), max_length=16, choices=CommunicationType)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction)
    body = models.TextField(_("text"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255, null=True, blank=True)
    whatsapp_message_id = models.CharField(
        _("WhatsApp message ID"), max_length=255, null=True, blank=True, unique=True
    )
    whatsapp_status = models.CharField(
        _("WhatsApp status"), max_length=16, choices=WhatsAppStatus, null=True, blank=True
    )
    media_url = models.CharField(_("media"), max_length=1024, null=True, blank=True)
    media_type = models.CharField(_("media type"), max_length=255, null=True, blank=True)

    # --- beyond the ERD: what the WhatsApp integration needs to keep ---------------------------
    # Meta's message type (text, image, audio, location, reaction, interactive, button, …).
    message_type = models.CharField(_("message type"), max_length=32, null=True, blank=True)
    # Media id from the webhook, until the background download fills media_url.
    media_id = models.CharField(_("media ID"), max_length=255, null=True, blank=True)
    # wamid of the message this one replies to (WhatsApp "context").
    reply_to_message_id = models.CharField(
        _("reply to message ID"), max_length=255, null=True, blank=True
    )
    # Type-specific details: location, contacts, reaction, referral, template parameters…
    metadata = models.JSONField(_("metadata"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_communications",
        verbose_name=_("sent by"),
    )
    template = models.ForeignKey(
        "messaging.WhatsAppTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("template"),
    )
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_message = models.TextField(_("error message"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        db_table = "communications"
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["-created_at"]
        indexes = [
            # Filter by channel.
            models.Index(fields=["communication_type"], name="communications_type_idx"),
            # Client timeline: last N communications of a client.
            models.Index(
                "client", models.F("created_at").desc(), name="communications_client_time_idx"
            ),
            # 24-hour window: the client's last inbound message.
            models.Index(
                "client",
                "direction",
                models.F("created_at").desc(),
                name="communications_client_dir_idx",
            ),
            # API /communications newest first (manager: every message), and its keyset cursor
            # `(created_at, id) < (…)`: the first page reads 51 index entries, not a sort of 1M.
            models.Index(
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="communications_created_id_idx",
            ),
            # The inbox's live poll: MAX(updated_at), one index-only lookup per poll, and a
            # conversation's changes since a cursor.
            models.Index(fields=["updated_at"], name="communications_updated_at_idx"),
            # Lead conversation thread.
            models.Index(
                "lead", models.F("created_at").desc(), name="communications_lead_time_idx"
            ),
            # Reports' first response per lead: its first inbound, then its first outbound
            # message, each one index lookup.
            models.Index(
                fields=["lead", "direction", "created_at"], name="communications_lead_dir_idx"
            ),
            # A thread page's reactions (`messaging.selectors._thread_items`): the few reaction
            # rows pointing at the page's 50 messages, where the client's index read all 7,500
            # messages of a long conversation to find them.
            models.Index(
                fields=["reply_to_message_id"],
                condition=models.Q(message_type="reaction"),
                name="communications_reaction_to_idx",
            ),
        ]
        constraints = [
            enum_check("communications", "communication_type", CommunicationType.values),
            enum_check("communications", "direction", Direction.values),
            enum_check("communications", "whatsapp_status", WhatsAppStatus.values),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.communication_type} #{self.pk}"


class TemplateCategory(models.TextChoices):
    MARKETING = "MARKETING", _("Marketing")
    UTILITY = "UTILITY", _("Utility")
    AUTHENTICATION = "AUTHENTICATION", _("Authentication")


class WhatsAppTemplate(TimestampedModel):
    """`whatsapp_templates`: an approved Meta template; `{{1}}`, `{{2}}`… are named by `variables`.

    Meta keeps one template name with a translation per language, so (name, language) is unique
    and the client's language picks the translation.
    """

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=512, null=True)
    content = models.TextField(_("content"), null=True)
    category = models.CharField(
        _("category"), max_length=32, choices=TemplateCategory, null=True, blank=True
    )
    # JSON list of the placeholder names, in order: ["customer_name", "tour"] names {{1}}, {{2}}.
    variables = models.TextField(_("variables"), null=True, blank=True)
    active = models.BooleanField(_("active"), null=True, default=True, db_default=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language, default=Language.RU, db_default=Language.RU
    )

    class Meta:
        db_table = "whatsapp_templates"
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language"], name="whatsapp_templates_name_language_uniq"
            ),
            enum_check("whatsapp_templates", "category", TemplateCategory.values),
            enum_check("whatsapp_templates", "language", Language.values),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"
