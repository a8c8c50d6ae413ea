"""Reminder writes: the settings, and one pass of the scheduled job (`reminders_run`).

Each reminder is made once. For a WhatsApp reminder the `reminder_deliveries` row is inserted
first, then the message is stored and its send queued (on commit) in the same transaction: a
second worker running the same pass waits on the row's unique key and skips when the first
commits; a rerun (a restart, cron and the loop both running) finds the row. A send the rules
refuse (a missing template variable, the template deactivated) is recorded on the row with
its reason, shown to the agent, and not tried again every minute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking
from dreamland.lib.errors import DomainError, NotConfigured, RuleViolation
from dreamland.lib.money import format_money
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.reminders.models import (
    SENDING_KINDS,
    ReminderDelivery,
    ReminderKind,
    ReminderSetting,
)
from dreamland.reminders.selectors import (
    UNANSWERED_LOOKBACK,
    answered,
    delivered_keys,
    payment_due_bookings,
    pre_departure_bookings,
    reminder_settings,
    unanswered_candidates,
)
from dreamland.reminders.workhours import WorkingHours, working_cutoff
from dreamland.whatsapp.client import whatsapp_configured
from dreamland.whatsapp.outbound import message_send_template

log = logging.getLogger(__name__)


# --- settings -----------------------------------------------------------------------------------


def reminder_setting_save(
    *,
    kind: str,
    enabled: bool,
    offset: int,
    template: WhatsAppTemplate | None = None,
    work_days: str | None = None,
    work_start: time | None = None,
    work_end: time | None = None,
    actor: User | None = None,
) -> ReminderSetting:
    """Store one kind's setting. A sending kind that is on needs an active template."""
    if kind not in ReminderKind.values:
        raise ValidationError({"kind": "unknown reminder"})
    if kind in SENDING_KINDS and enabled and (template is None or not template.active):
        raise ValidationError({"template": _("Choose an active template to send.")})
    defaults: dict[str, Any] = {
        "enabled": enabled,
        "offset": offset,
        "template": template if kind in SENDING_KINDS else None,
        "updated_by": actor,
    }
    if kind == ReminderKind.UNANSWERED:
        if work_days is not None:
            defaults["work_days"] = "".join(sorted(set(work_days)))
        if work_start is not None:
            defaults["work_start"] = work_start
        if work_end is not None:
            defaults["work_end"] = work_end
        start = defaults.get("work_start")
        end = defaults.get("work_end")
        if start is not None and end is not None and start >= end:
            raise ValidationError({"work_end": _("The working day must end after it starts.")})
        if enabled and work_days is not None and not defaults["work_days"]:
            raise ValidationError({"work_days": _("Choose at least one working day.")})
    with transaction.atomic():
        row, _created = ReminderSetting.objects.update_or_create(kind=kind, defaults=defaults)
    return row


# --- one pass of the job ------------------------------------------------------------------------


@dataclass
class RunResult:
    """What a pass did, per kind: sent (queued), refused (recorded with a reason), flagged."""

    sent: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    answered: int = 0
    skipped_not_configured: bool = False

    @property
    def did_something(self) -> bool:
        return bool(self.sent or self.refused or self.flagged or self.answered)

    def summary(self) -> str:
        parts = [f"{kind} sent {n}" for kind, n in self.sent.items()]
        parts += [f"{kind} refused {n}" for kind, n in self.refused.items()]
        parts += [f"unanswered flagged {self.flagged}", f"answered {self.answered}"]
        if self.skipped_not_configured:
            parts.append("WhatsApp not configured: nothing sent")
        return ", ".join(parts)


def _booking_values(booking: Booking, kind: str, today: date) -> dict[str, str]:
    """What a reminder template may name: the client, tour, departure and what is owed."""
    client = booking.client
    departure = booking.tour_departure
    language = "en" if client.preferred_language == "en" else "ru"
    assert departure.departure_date is not None
    when = formats.date_format(departure.departure_date, "d.m.Y")
    values = {
        "customer_name": client.name,
        "client_name": client.name,
        "name": client.name,
        "tour": departure.tour.name or "",
        "tour_name": departure.tour.name or "",
        "departure_date": when,
        "date": when,
        "days": str((departure.departure_date - today).days),
        "participants": str(booking.num_participants),
    }
    currency = booking.currency or "KZT"
    if booking.total_amount is not None:
        values["total"] = format_money(booking.total_amount, currency, language)
    due = getattr(booking, "balance_due", None)
    if kind == ReminderKind.PAYMENT_DUE and due is not None:
        values["balance_due"] = values["balance"] = values["amount"] = values["amount_due"] = (
            format_money(due, currency, language)
        )
    return values


def _send_once(
    *, kind: str, booking: Booking, template: WhatsAppTemplate, today: date
) -> str | None:
    """Insert the delivery row and queue the message in one transaction: "sent", "refused", or
    None when another run made this reminder already."""
    departure = booking.tour_departure.departure_date
    assert departure is not None
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                kind=kind,
                object_id=booking.pk,
                due_date=departure,
                client_id=booking.client_id,
                booking=booking,
                lead_id=booking.lead_id,
            )
            try:
                with transaction.atomic():
                    comm = message_send_template(
                        client=booking.client,
                        template=template,
                        variables=_booking_values(booking, kind, today),
                        sent_by=None,
                    )
            except NotConfigured:
                raise
            except (ValidationError, DomainError) as exc:
                messages = (
                    [str(m) for m in exc.messages]
                    if isinstance(exc, ValidationError)
                    else [exc.message]
                )
                delivery.error = " ".join(messages)
                delivery.save(update_fields=["error", "updated_at"])
                return "refused"
            delivery.communication = comm
            delivery.save(update_fields=["communication", "updated_at"])
            return "sent"
    except IntegrityError:
        return None  # another worker or an earlier run made it (the unique key)


def _send_kind(setting: ReminderSetting, *, today: date, result: RunResult) -> None:
    kind = setting.kind
    if setting.template is None:
        return
    if kind == ReminderKind.PAYMENT_DUE:
        bookings = payment_due_bookings(today=today, days=setting.offset)
    else:
        bookings = pre_departure_bookings(today=today, days=setting.offset)
    done = delivered_keys(kind, bookings)
    for booking in bookings:
        if (booking.pk, booking.tour_departure.departure_date) in done:
            continue
        outcome = _send_once(kind=kind, booking=booking, template=setting.template, today=today)
        if outcome == "sent":
            result.sent[kind] = result.sent.get(kind, 0) + 1
        elif outcome == "refused":
            result.refused[kind] = result.refused.get(kind, 0) + 1


def unanswered_flag(*, setting: ReminderSetting, now: datetime) -> int:
    """Flag each lead whose latest inbound message has waited `offset` working minutes with no
    reply; returns how many were due (the unique key drops one another run inserted)."""
    hours = WorkingHours.of(days=setting.work_days, start=setting.work_start, end=setting.work_end)
    cutoff = working_cutoff(now, setting.offset, hours)
    if cutoff is None:
        return 0
    candidates = unanswered_candidates(cutoff=cutoff, since=now - UNANSWERED_LOOKBACK)
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                kind=ReminderKind.UNANSWERED,
                object_id=c.inbound_id,
                due_date=timezone.localdate(c.inbound_at),
                client_id=c.client_id,
                lead_id=c.lead_id,
                waiting_since=c.inbound_at,
            )
            for c in candidates
        ],
        ignore_conflicts=True,
    )
    return len(candidates)


def unanswered_resolve(*, now: datetime) -> int:
    """Mark answered the open flags whose client got an outbound message after the wait began
    (pages already hide them at read time; this keeps the open set small). One UPDATE."""
    return (
        ReminderDelivery.objects.filter(kind=ReminderKind.UNANSWERED, resolved_at__isnull=True)
        .filter(answered())
        .update(resolved_at=now, updated_at=now)
    )


def reminders_run(*, now: datetime | None = None) -> RunResult:
    """One pass over every kind that is on. Safe to run at the same time in several processes
    and as often as wanted: each reminder is made once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = RunResult()
    settings_by_kind = reminder_settings()
    sending = [settings_by_kind[k] for k in SENDING_KINDS if settings_by_kind[k].enabled]
    if sending and not whatsapp_configured():
        result.skipped_not_configured = True
        sending = []
    for setting in sending:
        try:
            _send_kind(setting, today=today, result=result)
        except (NotConfigured, RuleViolation) as exc:
            log.warning("reminders: %s not sent: %s", setting.kind, exc)
    result.answered = unanswered_resolve(now=now)
    unanswered = settings_by_kind[ReminderKind.UNANSWERED]
    if unanswered.enabled:
        result.flagged = unanswered_flag(setting=unanswered, now=now)
    return result
