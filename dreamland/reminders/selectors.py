"""Reminder reads: the settings of each kind, what is due, and the unanswered-lead flags.

The flags are rows the scheduled job wrote (`reminder_deliveries`, kind `unanswered`); a page
reads them for a page of leads in one query, and a reply clears a flag at once because each
read also asks "no outbound message of the client after the one that waited?" (the
`communications_client_dir_idx` index), before the next job run marks it answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.api.access import visible_bookings, visible_leads
from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import ZERO, bookings_with_payments, with_balances
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, Direction
from dreamland.reminders.models import (
    DEFAULTS,
    ReminderDelivery,
    ReminderKind,
    ReminderSetting,
)

# An inbound message older than this is history, not a wait to flag (a first run on a years-old
# database flags nothing from before).
UNANSWERED_LOOKBACK = timedelta(days=7)
# The /reminders/ page lists payment reminders due within this many days past today's.
UPCOMING_DAYS = 7


def reminder_settings() -> dict[str, ReminderSetting]:
    """Every kind's setting (one query): the stored row, else an unsaved one with the defaults."""
    stored = {
        s.kind: s for s in ReminderSetting.objects.select_related("template").order_by("kind")
    }
    return {
        kind: stored.get(kind) or ReminderSetting(kind=kind, **DEFAULTS[kind])
        for kind in ReminderKind.values
    }


# --- the sending kinds --------------------------------------------------------------------------


def _departing(qs: QuerySet[Booking], *, today: date, days: int) -> QuerySet[Booking]:
    """Departing after today and at most `days` days from now. A range, not "exactly N days":
    a run missed on the day (worker down) still reminds on the next, before the departure."""
    return qs.filter(
        tour_departure__departure_date__gt=today,
        tour_departure__departure_date__lte=today + timedelta(days=days),
    )


def payment_due_bookings(
    *, today: date, days: int, qs: QuerySet[Booking] | None = None
) -> list[Booking]:
    """Confirmed bookings departing within `days` days that still owe money, with
    `balance_due` set by bookings' own rule (`with_balances`). A fixed number of queries."""
    qs = Booking.objects.all() if qs is None else qs
    rows = _departing(qs.filter(status=BookingStatus.CONFIRMED), today=today, days=days)
    rows = bookings_with_payments(
        rows.select_related("client", "tour_departure__tour", "lead__assigned_agent")
    ).order_by("tour_departure__departure_date", "pk")
    return [b for b in with_balances(list(rows)) if b.balance_due > ZERO]  # type: ignore[attr-defined]


def pre_departure_bookings(*, today: date, days: int) -> list[Booking]:
    """Bookings not cancelled (confirmed or paid) departing within `days` days."""
    rows = _departing(
        Booking.objects.filter(status__in=(BookingStatus.CONFIRMED, BookingStatus.PAID)),
        today=today,
        days=days,
    )
    return list(
        rows.select_related("client", "tour_departure__tour").order_by(
            "tour_departure__departure_date", "pk"
        )
    )


def delivered_keys(kind: str, bookings: Sequence[Booking]) -> set[tuple[int, date]]:
    """(booking id, departure date) already in `reminder_deliveries` for `kind` (one query)."""
    if not bookings:
        return set()
    return set(
        ReminderDelivery.objects.filter(
            kind=kind, object_id__in=[b.pk for b in bookings]
        ).values_list("object_id", "due_date")
    )


@dataclass
class PaymentReminderRow:
    booking: Booking
    due_on: date  # the day the reminder goes out (departure minus N days)
    delivery: ReminderDelivery | None


def upcoming_payment_reminders(
    user: User, *, setting: ReminderSetting, today: date | None = None
) -> list[PaymentReminderRow]:
    """For the agent: the bookings they may see whose payment reminder is due now or within a
    week, each with what was sent (its message and ticks) or why not. A fixed number of queries."""
    today = today or timezone.localdate()
    bookings = payment_due_bookings(
        today=today, days=setting.offset + UPCOMING_DAYS, qs=visible_bookings(user)
    )
    deliveries = {
        (d.object_id, d.due_date): d
        for d in ReminderDelivery.objects.filter(
            kind=ReminderKind.PAYMENT_DUE, object_id__in=[b.pk for b in bookings]
        ).select_related("communication")
    }
    rows = []
    for booking in bookings:
        departure = booking.tour_departure.departure_date
        assert departure is not None
        rows.append(
            PaymentReminderRow(
                booking=booking,
                due_on=departure - timedelta(days=setting.offset),
                delivery=deliveries.get((booking.pk, departure)),
            )
        )
    return rows


# --- unanswered leads ---------------------------------------------------------------------------


def answered() -> Exists:
    """An outbound message (any channel: a reply, a template, a logged call) of the flagged
    lead's client at or after the message that waited."""
    return Exists(
        Communication.objects.filter(
            client=OuterRef("client_id"),
            direction=Direction.OUTBOUND,
            created_at__gte=OuterRef("waiting_since"),
        )
    )


def _open_flags() -> QuerySet[ReminderDelivery]:
    return ReminderDelivery.objects.filter(
        kind=ReminderKind.UNANSWERED, resolved_at__isnull=True
    ).exclude(answered())


@dataclass(frozen=True)
class Candidate:
    lead_id: int
    client_id: int
    inbound_id: int
    inbound_at: datetime


def unanswered_candidates(*, cutoff: datetime, since: datetime) -> list[Candidate]:
    """Leads whose latest inbound message came in between `since` and `cutoff` with no outbound
    message of the client after it and no open flag yet. One query.

    `leads.last_message_at` is the lead's latest inbound message (only inbound bumps it).
    """
    latest_inbound = (
        Communication.objects.filter(lead=OuterRef("pk"), direction=Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    replied = Communication.objects.filter(
        client=OuterRef("client_id"),
        direction=Direction.OUTBOUND,
        created_at__gte=OuterRef("last_message_at"),
    )
    flagged = ReminderDelivery.objects.filter(
        kind=ReminderKind.UNANSWERED, resolved_at__isnull=True, lead=OuterRef("pk")
    )
    rows = (
        Lead.objects.filter(last_message_at__gt=since, last_message_at__lte=cutoff)
        .exclude(Exists(replied))
        .exclude(Exists(flagged))
        .annotate(inbound_id=Subquery(latest_inbound))
        .filter(inbound_id__isnull=False)
        .values_list("pk", "client_id", "inbound_id", "last_message_at")
    )
    return [
        Candidate(lead_id=lead, client_id=client, inbound_id=inbound, inbound_at=at)
        for lead, client, inbound, at in rows
        if at is not None
    ]


def unanswered_flag() -> Exists:
    """Whether the outer query's lead has an open unanswered flag: the inbox rows' badge read
    with the rows, one probe of reminder_open_flags_idx per row."""
    return Exists(_open_flags().filter(lead=OuterRef("pk")))


def unanswered_flags(user: User) -> QuerySet[ReminderDelivery]:
    """The open flags the user is shown: their own and unassigned leads' (managers and admins:
    everyone's — "the agent and their manager"), longest waiting first."""
    return (
        _open_flags()
        .filter(Q(lead__in=visible_leads(user)))
        .select_related("client", "lead__assigned_agent")
        .order_by("waiting_since", "pk")
    )


def unanswered_count(user: User) -> int:
    """How many of the user's conversations wait for an answer (one query). Built without
    `unanswered_flags`' joins, order and wrapping subquery; COUNT(DISTINCT) skips flags
    without a lead, as `lead__in` did."""
    flags = _open_flags()
    if not user.is_manager:  # managers: everyone's, no `IN (SELECT id FROM leads)` at all
        flags = flags.filter(lead__in=visible_leads(user))
    return int(flags.aggregate(n=Count("lead_id", distinct=True))["n"])
