"""Leads: one sales opportunity of a client, moving through the pipeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dreamland.lib.models import TimestampedModel, enum_check


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    QUOTED = "quoted", _("Quoted")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.QUOTED)
FINAL_STATUSES = (LeadStatus.WON, LeadStatus.LOST)


class LeadSource(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    WEBSITE = "website", _("Website")
    MANUAL = "manual", _("Manual")
    IMPORT = "import", _("Import")


class LostReason(TimestampedModel):
    """`lost_reasons`: the editable list a lost lead's reason is chosen from (admins edit it)."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=120, unique=True)
    active = models.BooleanField(_("active"), default=True, db_default=True)
    position = models.PositiveIntegerField(_("position"), default=0, db_default=0)

    class Meta:
        db_table = "lost_reasons"
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Lead(TimestampedModel):
    """`leads`: status changes only through `dreamland.leads.services` (SPEC §2 transitions)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="leads", verbose_name=_("client")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LeadStatus,
        default=LeadStatus.NEW,
        db_default=LeadStatus.NEW,
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=LeadSource,
        default=LeadSource.WHATSAPP,
        db_default=LeadSource.WHATSAPP,
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_leads",
        verbose_name=_("assigned agent"),
    )
    tour_interest = models.ForeignKey(
        "tours.Tour",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interested_leads",
        verbose_name=_("tour interest"),
    )
    unread_messages_count = models.PositiveIntegerField(
        _("unread messages"), default=0, db_default=0, null=True
    )
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    # Beside the ERD's columns: why a lost lead was lost (SPEC §2), from the editable list.
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("lost reason"),
    )
    # The lead's first inbound message and the first outbound one at or after it, kept as
    # messages are stored (`dreamland.leads.first_messages`), so the reports' first-response
    # figures read the lead row instead of searching its messages.
    first_inbound_at = models.DateTimeField(_("first inbound message at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)

    class Meta:
        db_table = "leads"
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        indexes = [
            # Pipeline filtering by status.
            models.Index(fields=["status"], name="leads_status_idx"),
            # Source analysis.
            models.Index(fields=["source"], name="leads_source_idx"),
            # Pipeline board: first N leads of each status by last message.
            models.Index(
                "status",
                models.F("last_message_at").desc(),
                name="leads_status_last_msg_idx",
            ),
            # Inbox: an agent's conversations by last message.
            models.Index(
                "assigned_agent",
                models.F("last_message_at").desc(),
                name="leads_agent_last_msg_idx",
            ),
            # Inbox for managers ("All"): everyone's conversations by last message, keyset on
            # (last_message_at, id) without sorting the table.
            models.Index(
                models.F("last_message_at").desc(),
                models.F("id").desc(),
                name="leads_last_msg_id_idx",
            ),
            # The top bar's unread total on every page: the few leads with unread messages, per
            # agent, read index-only.
            models.Index(
                fields=["assigned_agent", "unread_messages_count"],
                condition=models.Q(unread_messages_count__gt=0),
                name="leads_unread_agent_idx",
            ),
            # Reports (`reports.selectors`): one agent's leads created in a date range (all
            # agents' read `leads_created_id_idx`).
            models.Index(fields=["assigned_agent", "created_at"], name="leads_report_agent_idx"),
            # Agent visibility (`api.access`): per client, "is any lead mine or unassigned?" as
            # an index-only scan; every agent list of clients, messages, bookings probes it.
            models.Index(fields=["client", "assigned_agent"], name="leads_client_agent_idx"),
            # API /leads newest first and its keyset cursor (no sort of the whole table).
            models.Index(
                models.F("created_at").desc(), models.F("id").desc(), name="leads_created_id_idx"
            ),
            # A client's leads, newest first.
            models.Index("client", models.F("created_at").desc(), name="leads_client_created_idx"),
            # The open-lead rule (`selectors.leads_open`): a client's current open lead is the
            # first entry of this index, one probe per sender in an inbound batch. Without it
            # PostgreSQL ANDed the client and status indexes, reading every open lead's entry.
            models.Index(
                "client",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="leads_open_client_idx",
            ),
        ]
        constraints = [
            enum_check("leads", "status", LeadStatus.values),
            enum_check("leads", "source", LeadSource.values),
        ]

    def __str__(self) -> str:
        return gettext("Lead #%(id)s (%(status)s)") % {
            "id": self.pk,
            "status": self.get_status_display(),
        }

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
