"""What the client card shows, read in a fixed number of queries whatever the history's size.

A page-level read above the domain layer (like the views and the API): it composes the leads,
bookings, payments and messaging selectors, so it lives beside the views rather than in
`selectors.py` (the apps' domain modules depend one way). Every queryset starts from what the
viewer may see (`dreamland.api.access`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Q, QuerySet
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.api.access import visible_leads
from dreamland.bookings.models import Booking, Payment
from dreamland.bookings.selectors import (
    bookings_with_payments,
    client_bookings,
    client_payments,
    with_balances,
    with_lifetime_values,
)
from dreamland.clients.models import Client
from dreamland.clients.selectors import Cursor
from dreamland.leads.models import OPEN_STATUSES, Lead
from dreamland.messaging.models import Communication, CommunicationType, Direction, WhatsAppStatus
from dreamland.web.templatetags.dates import short_datetime

TIMELINE_SIZE = 30


def card_leads(*, user: User, client: Client) -> list[Lead]:
    """The client's leads the viewer may see, newest first, with agent, tour and booking."""
    return list(
        visible_leads(user)
        .filter(client=client)
        .select_related("assigned_agent", "tour_interest", "booking")
        .order_by("-created_at", "-pk")
    )


def current_lead(leads: Sequence[Lead]) -> Lead | None:
    """The most recent open lead (created_at, pk) of a `card_leads` list: the rule of
    `leads.selectors.lead_open_for_client`, applied to the rows already loaded."""
    return next((lead for lead in leads if lead.status in OPEN_STATUSES), None)


class TimelineRow(TypedDict):
    """A timeline item ready to print (a dict: the template engine tries `row[key]` first)."""

    direction: str
    channel: str  # communication_type, for the CSS class
    channel_label: str
    who: str  # "← from the client", "→ to the client · Anna"
    iso: str
    when: str
    failed: str  # the failed status's label, "" unless failed
    subject: str
    attachment: str  # the attachment chip's text, "" without one
    body: str  # already linebreaksbr'ed and escaped


@dataclass(frozen=True)
class TimelinePage:
    rows: list[TimelineRow]
    older: str | None  # cursor of the next older page


_TIMELINE_COLUMNS = (
    *("pk", "created_at", "communication_type", "direction", "body", "subject"),
    *("whatsapp_status", "media_type", "media_id", "media_url", "message_type", "sent_by__name"),
)


def client_timeline(
    *, client: Client, before: Cursor | None = None, size: int = TIMELINE_SIZE
) -> TimelinePage:
    """The client's last `size` communications of every channel (before `before`), newest first.

    One query on the index (client_id, created_at DESC), the columns an item shows as plain
    rows; one row more tells whether older ones exist.
    """
    qs = Communication.objects.filter(client=client)
    if before is not None:
        qs = qs.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, pk__lt=before.pk)
        )
    rows = list(qs.order_by("-created_at", "-pk").values_list(*_TIMELINE_COLUMNS)[: size + 1])
    older = Cursor(rows[size - 1][1], rows[size - 1][0]).encode() if len(rows) > size else None
    return TimelinePage(rows=_timeline_rows(rows[:size]), older=older)


def _timeline_rows(rows: list[tuple[Any, ...]]) -> list[TimelineRow]:
    """What each item prints, computed once a row (the template's per-item tags and filters
    took ~4 ms of a card's 30 items)."""
    channels = dict(CommunicationType.choices)
    inbound = "← " + _("from the client")
    outbound = "→ " + _("to the client")
    failed = str(WhatsAppStatus.FAILED.label)
    attachment = _("Attachment")
    items = []
    for (
        _pk,
        created_at,
        channel,
        direction,
        body,
        subject,
        status,
        media_type,
        media_id,
        media_url,
        message_type,
        sent_by,
    ) in rows:
        if direction == Direction.INBOUND:
            who = inbound
        else:
            who = f"{outbound} · {sent_by}" if sent_by is not None else outbound
        if media_type or media_id or media_url:
            chip = f"{attachment}: {media_type or message_type or ''}"
        elif message_type and message_type != "text" and not body:
            chip = message_type
        else:
            chip = ""
        items.append(
            TimelineRow(
                direction=direction,
                channel=channel,
                channel_label=str(channels.get(channel, channel)),
                who=who,
                iso=timezone.localtime(created_at).isoformat(),
                when=short_datetime(created_at),
                failed=failed if status == WhatsAppStatus.FAILED else "",
                subject=subject or "",
                attachment=chip,
                body=linebreaksbr(body, autoescape=True) if body else "",
            )
        )
    return items


@dataclass(frozen=True)
class ClientCard:
    client: Client
    leads: list[Lead]
    lead: Lead | None
    bookings: Sequence[Booking]
    payments: list[Payment]
    lifetime_value: Decimal | None  # None: a payment's exchange rate is missing
    currency: str
    timeline: TimelinePage


def client_card(*, user: User, client: Client, before: Cursor | None = None) -> ClientCard:
    """Everything on the card; lifetime value in the viewer's `preferred_currency`."""
    leads = card_leads(user=user, client=client)
    bookings = with_balances(list(bookings_with_payments(client_bookings(client))))
    currency = user.preferred_currency or "KZT"
    (valued,) = with_lifetime_values([client], currency)
    return ClientCard(
        client=client,
        leads=leads,
        lead=current_lead(leads),
        bookings=bookings,
        payments=list(client_payments(client)),
        lifetime_value=valued.lifetime_value,  # type: ignore[attr-defined]
        currency=currency,
        timeline=client_timeline(client=client, before=before),
    )


def with_open_leads(*, user: User, clients: Sequence[Client]) -> Sequence[Client]:
    """Set `open_leads` (visible to the viewer, newest first, agent loaded) on a list page's
    clients: one query for the page, by the clients' ids (`prefetch_related_objects` spent
    ~1.7 ms of CPU on a page of 50 around that same query)."""
    by_client: dict[int, list[Lead]] = defaultdict(list)
    for lead in _open_leads(user).filter(client_id__in=[c.pk for c in clients]):
        by_client[lead.client_id].append(lead)
    for client in clients:
        client.open_leads = by_client[client.pk]  # type: ignore[attr-defined]
    return clients


def _open_leads(user: User) -> QuerySet[Lead]:
    """What a list row shows of its client's current open lead (`clients.display`): its status,
    last message and agent's name; a tour's description and aliases, a user's password digest
    stay out (loading the whole rows cost a name search's page ~3 ms)."""
    return (
        visible_leads(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("assigned_agent")
        .only("client_id", "created_at", "status", "last_message_at", "assigned_agent__name")
        .order_by("-created_at", "-pk")
    )
