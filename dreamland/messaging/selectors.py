"""Inbox and conversation reads: the rows of the inbox, one client's thread, the poll cursor.

Everything here is built for 100k clients and millions of messages: the inbox walks
`leads_agent_last_msg_idx` / `leads_status_last_msg_idx` with a keyset cursor and fetches each
row's last message by the `communications (client_id, created_at DESC)` index, in a constant
number of queries whatever the page size; a thread page is one range scan of that index.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.template.defaultfilters import linebreaksbr
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.api.access import visible_leads
from dreamland.bookings.models import Booking
from dreamland.bookings.selectors import seats_left
from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadStatus
from dreamland.lib.money import format_money
from dreamland.lib.phones import InvalidPhone, normalize_phone
from dreamland.lib.urls import path_for
from dreamland.messaging import display
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    WhatsAppStatus,
    WhatsAppTemplate,
)
from dreamland.messaging.services import (
    WINDOW,
    inbound_whatsapp_newest_first,
    whatsapp_window_expires_at,
    window_closes_at,
)
from dreamland.money.selectors import MissingExchangeRate, convert
from dreamland.tours.models import TourDeparture

PAGE_SIZE = 50
# A list's first page is shorter (a 900 px screen shows about ten rows, and each row costs its
# reads and rendering); the rest loads in pages of PAGE_SIZE as it scrolls.
FIRST_PAGE = 20
THREAD_PAGE = 50
CLOSING_SOON = timedelta(hours=2)
SCOPES = ("all", "mine", "unassigned")
_DIGITS = re.compile(r"\D+")


# --- opaque keyset cursors --------------------------------------------------------------------
def cursor_encode(at: datetime, pk: int) -> str:
    """(timestamp, id) as an opaque URL-safe token: the last row a page showed."""
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(token: str | None) -> tuple[datetime, int] | None:
    """The (timestamp, id) of a token; None for a missing or forged one (= first page)."""
    if not token or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at_text, pk_text = raw.rsplit("|", 1)
        at = parse_datetime(at_text)
        pk = int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if at is None or timezone.is_naive(at) or not 0 < pk < 2**63:  # a bigint, or no row
        return None
    return at, pk


# --- the inbox --------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboxFilters:
    scope: str = "all"
    unread: bool = False
    closing: bool = False
    source: str = ""
    tour_id: int | None = None
    q: str = ""

    def query(self) -> dict[str, str]:
        """The filters as GET parameters (for links, the pill and the next page)."""
        params = {"scope": self.scope} if self.scope != "all" else {}
        if self.unread:
            params["unread"] = "1"
        if self.closing:
            params["closing"] = "1"
        if self.source:
            params["source"] = self.source
        if self.tour_id:
            params["tour"] = str(self.tour_id)
        if self.q:
            params["q"] = self.q
        return params


def _current_leads() -> Q:
    """Each client's most recent lead (the one a new message attaches to or follows)."""
    newer = Lead.objects.filter(client=OuterRef("client"), created_at__gt=OuterRef("created_at"))
    return ~Q(Exists(newer))


def _search(q: str) -> Q:
    """By name (any part) or by phone in any spelling: a whole number exactly, else its digits."""
    q = q.strip()
    cond = Q(client__name__icontains=q)
    try:
        return cond | Q(client__phone=normalize_phone(q))
    except InvalidPhone:
        pass
    digits = _DIGITS.sub("", q)
    if len(digits) >= 4:
        # "8 701 …" is "+7 701 …": a leading trunk 8 is dropped from partial numbers.
        digits = digits[1:] if digits.startswith("8") and len(digits) > 4 else digits
        cond |= Q(client__phone__contains=digits)
    return cond


def inbox_leads(
    user: User, filters: InboxFilters, *, now: datetime | None = None
) -> QuerySet[Lead]:
    """The inbox's leads, newest message first: one per client (their current lead) that the
    user may see and that has a conversation."""
    now = now or timezone.now()
    qs = visible_leads(user).filter(last_message_at__isnull=False).filter(_current_leads())
    if filters.scope == "mine":
        qs = qs.filter(assigned_agent=user)
    elif filters.scope == "unassigned":
        qs = qs.filter(assigned_agent__isnull=True)
    if filters.unread:
        qs = qs.filter(unread_messages_count__gt=0)
    if filters.closing:
        # last_message_at is the last inbound message (only inbound bumps it): a range on the
        # index; the window closes within 2 h when it was 22 to 24 h ago.
        qs = qs.filter(
            last_message_at__gt=now - WINDOW, last_message_at__lte=now - WINDOW + CLOSING_SOON
        )
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.tour_id:
        qs = qs.filter(tour_interest_id=filters.tour_id)
    if filters.q:
        qs = qs.filter(_search(filters.q))
    return qs


def _last_message_id() -> Subquery:
    return Subquery(
        Communication.objects.filter(client=OuterRef("client_id"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )


def _last_inbound_at() -> Subquery:
    return Subquery(inbound_whatsapp_newest_first(OuterRef("client_id")).values("created_at")[:1])


@dataclass
class InboxRow:
    """A conversation of the list, with what its row shows already worked out (the template
    only places strings: 50 rows of filters cost ~40 ms of rendering)."""

    lead: Lead
    client: Client
    last: Communication | None
    window_expires_at: datetime | None
    now: datetime
    time_label: str = ""
    time_iso: str = ""
    snippet: str = ""
    tick: str = ""
    phone: str = ""
    status_label: str = ""
    window_label: str = ""
    href: str = ""
    client_id: int = 0
    name: str = ""
    unread: int = 0
    status: str = ""
    tour_name: str = ""
    agent_name: str = ""
    window_closing: bool = False
    unanswered: bool = False  # the reminders' flag: waiting for an answer too long
    active: bool = False  # the open conversation's row (set by the view)

    def dress(
        self, local_now: datetime, status_labels: dict[str, str], conversation: Callable[[int], str]
    ) -> None:
        """`conversation`: a client's conversation URL (`lib.urls.path_for`, reversed once)."""
        lead, client = self.lead, self.client
        at = lead.last_message_at
        self.href = conversation(client.pk)
        self.client_id = client.pk
        self.name = client.name
        self.unread = lead.unread_messages_count or 0
        self.status = lead.status
        self.tour_name = (lead.tour_interest.name or "") if lead.tour_interest else ""
        self.agent_name = lead.assigned_agent.name if lead.assigned_agent else ""
        self.unanswered = bool(getattr(lead, "unanswered", False))
        self.time_label = display.ago(at, local_now)
        self.time_iso = at.astimezone(local_now.tzinfo).isoformat() if at else ""
        if self.last is not None:
            self.snippet = display.snippet(self.last.body)
            self.tick = display.tick(self.last.whatsapp_status)
        self.phone = display.phone(self.client.phone)
        self.status_label = status_labels.get(self.lead.status, self.lead.status)
        if self.window_open:
            self.window_label = _("window: %(left)s") % {
                "left": display.time_left(self.window_expires_at, self.now)
            }
            self.window_closing = self.window_expires_at - self.now <= CLOSING_SOON  # type: ignore[operator]

    @property
    def cursor(self) -> str:
        assert self.lead.last_message_at is not None
        return cursor_encode(self.lead.last_message_at, self.lead.pk)

    @property
    def outbound(self) -> bool:
        return self.last is not None and self.last.direction == Direction.OUTBOUND

    @property
    def window_open(self) -> bool:
        return self.window_expires_at is not None and self.now < self.window_expires_at


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    filters: InboxFilters
    top_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _position() -> Tuple:
    return Tuple(F("last_message_at"), F("pk"))


def _after(cursor: tuple[datetime, int]) -> Q:
    """Below the row at `cursor`, as the row value `(last_message_at, id) < (at, pk)`: an index
    condition of `leads_last_msg_id_idx`, so the scan starts at the row (an OR of the two terms
    is a filter, and "the conversation below" read every row under it). The redundant `lte`
    keeps a range for `leads_agent_last_msg_idx`, which has no id."""
    at, pk = cursor
    return Q(last_message_at__lte=at) & Q(TupleLessThan(_position(), (at, pk)))


def _before(cursor: tuple[datetime, int]) -> Q:
    """Above the row at `cursor` (the mirror of `_after`)."""
    at, pk = cursor
    return Q(last_message_at__gte=at) & Q(TupleGreaterThan(_position(), (at, pk)))


# What a row shows (a client's notes, a tour's description, a user's password digest stay out).
ROW_FIELDS = (
    "created_at",
    "status",
    "unread_messages_count",
    "last_message_at",
    "client__name",
    "client__phone",
    "assigned_agent__name",
    "tour_interest__name",
)


def inbox_page(
    user: User,
    filters: InboxFilters,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
    unanswered: Exists | None = None,
) -> InboxPage:
    """One page of inbox rows after the `after` cursor: two queries for any page size.

    `unanswered`: the reminders' flag as an expression on the lead (`reminders.selectors.
    unanswered_flag()`, read with the rows), given by the page: the reminders app sends
    messages, so messaging never imports it."""
    now = now or timezone.now()
    qs = inbox_leads(user, filters, now=now)
    position = cursor_decode(after)
    if position is not None:
        qs = qs.filter(_after(position))
    leads = list(
        qs.select_related("client", "assigned_agent", "tour_interest")
        .only(*ROW_FIELDS)
        .annotate(
            last_comm_id=_last_message_id(),
            last_inbound_at=_last_inbound_at(),
            unanswered=unanswered if unanswered is not None else Value(False),
        )
        .order_by("-last_message_at", "-pk")[: size + 1]
    )
    more = len(leads) > size
    leads = leads[:size]
    ids = [lead.last_comm_id for lead in leads if lead.last_comm_id]
    last = (
        Communication.objects.only("body", "direction", "whatsapp_status").in_bulk(ids)
        if ids
        else {}
    )
    rows = [
        InboxRow(
            lead=lead,
            client=lead.client,
            last=last.get(lead.last_comm_id),
            window_expires_at=window_closes_at(lead.last_inbound_at),
            now=now,
        )
        for lead in leads
    ]
    local_now = display.local_now()
    status_labels = {value: str(label) for value, label in LeadStatus.choices}
    conversation = path_for("messaging:conversation")
    for row in rows:
        row.dress(local_now, status_labels, conversation)
    return InboxPage(
        rows=rows,
        next_cursor=rows[-1].cursor if more and rows else None,
        filters=filters,
        top_cursor=rows[0].cursor if rows else None,
    )


def inbox_new_count(user: User, filters: InboxFilters, *, top: str | None, cap: int = 99) -> int:
    """How many conversations moved above the first row the agent sees (the "N new" pill);
    counted up to `cap` on the index, never over the whole table."""
    qs = inbox_leads(user, filters)
    position = cursor_decode(top)
    if position is not None:
        qs = qs.filter(_before(position))
    return qs.order_by()[:cap].count()


def inbox_neighbours(
    user: User, filters: InboxFilters, lead: Lead | None
) -> tuple[int | None, int | None]:
    """The client ids of the conversations above and below `lead` (Alt+K / Alt+J), for a
    conversation that is not a row of the list beside it (the page reads those off its rows):
    one query, two scalar subqueries that each seek `leads_last_msg_id_idx` from the lead's
    position and stop at the first visible row."""
    if lead is None or lead.last_message_at is None:
        return None, None
    position = (lead.last_message_at, lead.pk)
    qs = inbox_leads(user, filters).values("client_id")
    above_q = qs.filter(_before(position)).order_by("last_message_at", "pk")[:1]
    below_q = qs.filter(_after(position)).order_by("-last_message_at", "-pk")[:1]
    found = (
        Lead.objects.filter(pk=lead.pk).values_list(Subquery(above_q), Subquery(below_q)).first()
    )
    return found if found is not None else (None, None)


# --- the live cursor --------------------------------------------------------------------------
def poll_cursor() -> str:
    """What changed last: the newest `communications.updated_at` (moved by every insert and
    status change) in microseconds since the epoch. One index-only MAX on
    `communications_updated_at_idx`."""
    latest = Communication.objects.aggregate(at=Max("updated_at"))["at"]
    return str(int(latest.timestamp() * 1_000_000)) if latest else "0"


def cursor_time(cursor: str | None) -> datetime | None:
    """The moment a poll cursor stands for; None for a missing or garbled one."""
    try:
        micros = int(cursor or "")
    except ValueError:
        return None
    if micros <= 0:
        return None
    try:
        return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- one conversation -------------------------------------------------------------------------
def current_lead(client: Client) -> Lead | None:
    """The client's most recent lead, with `last_inbound_at` (the client's last WhatsApp message,
    which opens the 24-hour window) read in the same query."""
    return (
        Lead.objects.filter(client=client)
        .select_related("assigned_agent", "tour_interest")
        .annotate(last_inbound_at=_last_inbound_at())
        .order_by("-created_at", "-pk")
        .first()
    )


def window_expires_at(client: Client, lead: Lead | None) -> datetime | None:
    """When the client's 24-hour window closes: off `current_lead`'s annotation, else (a client
    without a lead) one query."""
    if lead is None or not hasattr(lead, "last_inbound_at"):
        return whatsapp_window_expires_at(client)
    return window_closes_at(lead.last_inbound_at)


# Message types with a body of their own (beside media, quotes and ad referrals).
RICH_TYPES = frozenset({"location", "contacts", "reaction", "interactive", "button"})


@dataclass
class ThreadItem:
    """A message with what it shows attached (its reactions, the message it quotes), or a
    marker where a lead or a booking starts."""

    kind: str  # "message" | "lead" | "booking"
    at: datetime
    comm: Communication | None = None
    lead: Lead | None = None
    booking: Booking | None = None
    reactions: list[Communication] = field(default_factory=list)
    quoted: Communication | None = None
    # What a message shows, worked out once (see `InboxRow`); `plain`: a WhatsApp text with
    # nothing around it, the one short branch of the template most messages take.
    css: str = ""
    plain: bool = False
    media: str = ""
    time_label: str = ""
    time_iso: str = ""
    tick: str = ""
    pk: int = 0
    status: str = ""
    sender: str | None = None  # the name of the user who sent it, None for the client's
    failed: bool = False
    body_html: str = ""  # a plain message's text, escaped, line breaks as <br>

    def dress(self, local_now: datetime) -> None:
        comm = self.comm
        assert comm is not None
        self.pk = comm.pk
        self.status = comm.whatsapp_status or ""
        self.sender = (comm.sent_by.name or "") if comm.sent_by is not None else None
        self.media = display.media_kind(comm)
        whatsapp = comm.communication_type == CommunicationType.WHATSAPP
        failed = self.failed = comm.whatsapp_status == WhatsAppStatus.FAILED
        self.css = f"msg msg-{comm.direction}{'' if whatsapp else ' msg-logged'}" + (
            " msg-failed" if failed else ""
        )
        meta = comm.metadata
        self.plain = (
            whatsapp
            and not self.media
            and not comm.reply_to_message_id
            and comm.message_type not in RICH_TYPES
            and not (isinstance(meta, dict) and meta.get("referral"))
        )
        if self.plain:
            self.body_html = linebreaksbr(comm.body or "", autoescape=True)
        self.time_label = display.message_time(comm.created_at, local_now)
        self.time_iso = comm.created_at.astimezone(local_now.tzinfo).isoformat()
        if comm.direction == Direction.OUTBOUND:
            self.tick = display.tick(comm.whatsapp_status)


@dataclass
class ThreadPage:
    items: list[ThreadItem]
    older_cursor: str | None  # the oldest message shown, when there is more history above
    updated_cursor: str


def _thread_items(
    client: Client,
    comms: list[Communication],
    *,
    markers: bool,
    markers_from: datetime | None = None,
    markers_to: datetime | None = None,
) -> list[ThreadItem]:
    """Messages oldest first with reactions shown on the message they react to, quotes looked
    up, and lead/booking markers in between: at most four more queries, whatever the page size."""
    reacted = [c.reply_to_message_id for c in comms if c.message_type == "reaction"]
    by_wamid: dict[str | None, Communication] = {
        c.whatsapp_message_id: c for c in comms if c.whatsapp_message_id
    }
    # A reaction arriving (or changing) re-renders the message it reacts to.
    outside = {w for w in reacted if w and w not in by_wamid}
    wanted = {
        c.reply_to_message_id
        for c in comms
        if c.reply_to_message_id and c.message_type != "reaction"
    } - set(by_wamid)
    others = (
        {
            c.whatsapp_message_id: c
            for c in Communication.objects.filter(
                client=client, whatsapp_message_id__in=outside | wanted
            )
            .select_related("sent_by")  # shown ones are dressed: their sender, no query each
            .only(*MESSAGE_FIELDS)
        }
        if outside | wanted
        else {}
    )
    shown = [c for c in comms if c.message_type != "reaction"]
    if outside:
        shown += [others[w] for w in outside if w in others and w not in wanted]
        shown.sort(key=lambda c: (c.created_at, c.pk))
    # Reactions whose message is gone (or never stored) still show, as a line of their own.
    shown += [
        c
        for c in comms
        if c.message_type == "reaction"
        and (c.reply_to_message_id not in by_wamid and c.reply_to_message_id not in others)
    ]
    targets = [c.whatsapp_message_id for c in shown if c.whatsapp_message_id]
    reactions: dict[str, list[Communication]] = {}
    if targets:
        for reaction in Communication.objects.filter(
            client=client, message_type="reaction", reply_to_message_id__in=targets
        ).order_by("created_at", "pk"):
            reactions.setdefault(reaction.reply_to_message_id or "", []).append(reaction)
    quotes: dict[str | None, Communication] = {**others, **by_wamid}
    items = [
        ThreadItem(
            kind="message",
            at=c.created_at,
            comm=c,
            reactions=reactions.get(c.whatsapp_message_id or "", []),
            quoted=quotes.get(c.reply_to_message_id or "")
            if c.message_type != "reaction"
            else None,
        )
        for c in shown
    ]
    if markers:
        window = Q()
        if markers_from is not None:
            window &= Q(created_at__gte=markers_from)
        if markers_to is not None:
            window &= Q(created_at__lt=markers_to)
        leads = (
            Lead.objects.filter(window, client=client)
            .select_related("tour_interest")
            .only("created_at", "tour_interest__name")
        )
        for lead in leads:
            items.append(ThreadItem(kind="lead", at=lead.created_at, lead=lead))
        bookings = (
            Booking.objects.filter(window, client=client)
            .select_related("tour_departure__tour")
            .only("created_at", "tour_departure__departure_date", "tour_departure__tour__name")
        )
        for booking in bookings:
            items.append(ThreadItem(kind="booking", at=booking.created_at, booking=booking))
    # Meta stamps messages in whole seconds, before the lead they create exists: a marker sits
    # above the first message of its lead or booking whatever the clocks say.
    first_of: dict[tuple[str, int], datetime] = {}
    for c in shown:
        for key in (("lead", c.lead_id), ("booking", c.booking_id)):
            if key[1] is not None and (key not in first_of or c.created_at < first_of[key]):
                first_of[key] = c.created_at  # type: ignore[index]
    for item in items:
        pk = item.lead.pk if item.lead else item.booking.pk if item.booking else None
        if item.kind != "message" and pk is not None:
            item.at = min(item.at, first_of.get((item.kind, pk), item.at))
    kind_order = {"lead": 0, "booking": 1, "message": 2}
    items.sort(key=lambda i: (i.at, kind_order[i.kind], i.comm.pk if i.comm else 0))
    local_now = display.local_now()
    for item in items:
        if item.comm is not None:
            item.dress(local_now)
    return items


# What a message shows (its delivery timestamps, media id and the sender's account stay out).
MESSAGE_FIELDS = (
    "created_at",
    "client",
    "lead",
    "booking",
    "communication_type",
    "direction",
    "body",
    "subject",
    "whatsapp_message_id",
    "whatsapp_status",
    "media_url",
    "media_type",
    "message_type",
    "reply_to_message_id",
    "metadata",
    "template",
    "error_code",
    "error_message",
    "sent_by__name",
)


def thread_page(
    client: Client, *, before: str | None = None, size: int = THREAD_PAGE
) -> ThreadPage:
    """The newest `size` communications before the `before` cursor, shown oldest first."""
    qs = Communication.objects.filter(client=client).select_related("sent_by").only(*MESSAGE_FIELDS)
    position = cursor_decode(before)
    if position is not None:
        at, pk = position
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    newest_first = list(qs.order_by("-created_at", "-pk")[: size + 1])
    more = len(newest_first) > size
    comms = list(reversed(newest_first[:size]))
    oldest = comms[0] if comms else None
    items = _thread_items(
        client,
        comms,
        markers=True,
        # Markers older than the oldest message shown belong to the next page up, unless this
        # is the top of the history.
        markers_from=oldest.created_at if (oldest and more) else None,
        markers_to=position[0] if position else None,
    )
    return ThreadPage(
        items=items,
        older_cursor=cursor_encode(oldest.created_at, oldest.pk) if (more and oldest) else None,
        updated_cursor=poll_cursor(),
    )


def thread_changes(
    client: Client, *, since: str | None, only: list[int] | None = None
) -> ThreadPage:
    """Communications of the client created or changed after `since` (a poll cursor): new
    messages to append and ticks that moved. `only`: just these (a message just sent)."""
    at = cursor_time(since)
    qs = Communication.objects.filter(client=client).select_related("sent_by")
    if only is not None:
        qs = qs.filter(pk__in=only)
    elif at is not None:
        qs = qs.filter(updated_at__gt=at)
    comms = list(qs.order_by("-updated_at")[:200])
    comms.sort(key=lambda c: (c.created_at, c.pk))
    return ThreadPage(
        items=_thread_items(client, comms, markers=False) if comms else [],
        older_cursor=None,
        updated_cursor=poll_cursor(),
    )


# --- the template picker ----------------------------------------------------------------------
def client_currency(client: Client) -> str:
    """The currency a client is quoted in: tenge for Russian/Kazakh speakers, dollars for
    English speakers (clients carry no currency of their own)."""
    return "USD" if client.preferred_language == "en" else "KZT"


def templates_for_client(client: Client) -> list[WhatsAppTemplate]:
    """Active templates, the client's language first (then Russian, then the rest)."""
    language = client.preferred_language or "ru"
    rank = {language: 0, "ru": 1}
    templates = list(WhatsAppTemplate.objects.filter(active=True))
    return sorted(templates, key=lambda t: (rank.get(t.language, 2), t.name or "", t.language))


def template_known_values(client: Client, lead: Lead | None) -> dict[str, str]:
    """What the system fills in for the agent: the client's name, the lead's tour, its next
    departure, the seats left on it and its price in the client's currency."""

    language = "en" if client.preferred_language == "en" else "ru"
    values = {"customer_name": client.name, "client_name": client.name, "name": client.name}
    tour = lead.tour_interest if lead is not None else None
    if tour is None:
        return values
    values["tour"] = values["tour_name"] = tour.name or ""
    today = timezone.localdate()
    departure = (
        TourDeparture.objects.filter(tour=tour, departure_date__gte=today)
        .select_related("tour")
        .order_by("departure_date", "pk")
        .first()
    )
    if departure is None:
        return values
    assert departure.departure_date is not None
    values["departure_date"] = values["date"] = formats.date_format(
        departure.departure_date, "d.m.Y"
    )
    values["seats_left"] = values["seats"] = str(seats_left(departure))
    price = departure.effective_price
    if price is not None:
        currency = client_currency(client)
        try:
            amount = convert(price, departure.effective_currency, currency, today)
        except MissingExchangeRate:
            amount, currency = price, departure.effective_currency
        values["price"] = format_money(amount, currency, language)
    return values
