"""Reminder settings (one row per kind) and the deliveries the scheduled job made, once each."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.lib.models import TimestampedModel, enum_check


class ReminderKind(models.TextChoices):
    PAYMENT_DUE = "payment_due", _("Payment due")
    PRE_DEPARTURE = "pre_departure", _("Before departure")
    UNANSWERED = "unanswered", _("Unanswered message")


# The kinds that send a WhatsApp template to the client; the unanswered one only flags.
SENDING_KINDS = (ReminderKind.PAYMENT_DUE, ReminderKind.PRE_DEPARTURE)

# What a kind does before it is first saved on /settings/reminders/: sends are off until an
# admin picks a template; the unanswered flag writes nothing to clients and is on.
DEFAULTS: dict[str, dict[str, object]] = {
    ReminderKind.PAYMENT_DUE: {"enabled": False, "offset": 7},
    ReminderKind.PRE_DEPARTURE: {"enabled": False, "offset": 2},
    ReminderKind.UNANSWERED: {"enabled": True, "offset": 30},
}
# Working hours (the unanswered kind): Monday to Friday, 09:00 to 18:00 in settings.TIME_ZONE.
DEFAULT_WORK_DAYS = "12345"  # ISO weekdays, Monday = 1
DEFAULT_WORK_START = time(9, 0)
DEFAULT_WORK_END = time(18, 0)


class ReminderSetting(TimestampedModel):
    """`reminder_settings`: one row per kind, written from /settings/reminders/ by an admin.

    `offset` is days before the departure for the sending kinds and working minutes for the
    unanswered kind. The working-hours columns are read by the unanswered kind only.
    """

    kind = models.CharField(_("reminder"), max_length=32, choices=ReminderKind, unique=True)
    enabled = models.BooleanField(_("on"), default=False)
    offset = models.PositiveIntegerField(_("when"))
    template = models.ForeignKey(
        "messaging.WhatsAppTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    work_days = models.CharField(_("working days"), max_length=7, default=DEFAULT_WORK_DAYS)
    work_start = models.TimeField(_("working day starts"), default=DEFAULT_WORK_START)
    work_end = models.TimeField(_("working day ends"), default=DEFAULT_WORK_END)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        db_table = "reminder_settings"
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")
        constraints = [
            enum_check("reminder_settings", "kind", ReminderKind.values),
            models.CheckConstraint(
                condition=models.Q(work_start__lt=models.F("work_end")),
                name="reminder_settings_work_hours_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ReminderDelivery(TimestampedModel):
    """`reminder_deliveries`: one row per reminder made, inserted before it is sent.

    The unique (kind, object_id, due_date) is the "once": the row is inserted in the same
    transaction that stores the outbound message and queues its send (on commit), so a second
    worker's insert waits for the first and fails, and a rerun finds the row. `object_id` is the
    booking (payment due, before departure; `due_date` its departure date, so a booking moved to
    another departure is reminded again) or the inbound message that waited (unanswered;
    `due_date` the day it came in).
    """

    kind = models.CharField(_("reminder"), max_length=32, choices=ReminderKind)
    object_id = models.BigIntegerField(_("object"))
    due_date = models.DateField(_("due date"))
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booking"),
    )
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )
    # The WhatsApp message sent (the sending kinds); its ticks show how it went.
    communication = models.ForeignKey(
        "messaging.Communication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    # Why nothing was sent (no value for a variable, no active template): shown to the agent.
    error = models.TextField(_("error"), blank=True, default="")
    # Unanswered: when the inbound message came in, and when a reply (or the job) cleared it.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        db_table = "reminder_deliveries"
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            # The "once"; also serves "which of these bookings got this kind" (kind, object_id).
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_date"], name="reminder_deliveries_once"
            ),
            enum_check("reminder_deliveries", "kind", ReminderKind.values),
        ]
        indexes = [
            # The inbox's badges and count: open unanswered flags by lead (few rows).
            models.Index(
                fields=["lead"],
                condition=models.Q(kind="unanswered", resolved_at__isnull=True),
                name="reminder_open_flags_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} ({self.due_date})"
