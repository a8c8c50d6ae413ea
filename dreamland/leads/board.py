"""Reads of the pipeline board: a column of leads per status, and the per-status counts.

Each column is one `LIMIT` query on the index leads (status, last_message_at DESC), newest
message first (leads nobody has written about yet on top: NULLS FIRST, the index's own order on
PostgreSQL), then by id; "more" continues from the last card with a keyset cursor, never an
OFFSET. The first render shows `FIRST_CARDS` a column, each "more" `COLUMN_SIZE`. A card is a
plain row (`BoardCard`): the column's query joins only the client; the few tours, agents and
lost reasons the cards name are read once for the whole board (joining all four tables cost
PostgreSQL 3 ms of planning per column).

Counting a whole status costs tens of milliseconds on a big table (PERFORMANCE.md), so the counts
are cached briefly; every write that changes a lead's status, agent, source, tour or existence
bumps a version (`board_counts_changed`, on commit) so a move shows at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Count, F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dreamland.accounts.models import User
from dreamland.audit.selectors import status_changed_at_expression
from dreamland.leads.models import Lead, LeadStatus, LostReason
from dreamland.lib.changes import LEADS, reports_changed
from dreamland.tours.models import Tour

FIRST_CARDS = 10  # cards a column shows on the board's first render (rendering is the cost)
COLUMN_SIZE = 50  # cards each "more" adds
COUNTS_TTL = 60  # seconds: the upper bound of a stale count if a write bypassed the services
_VERSION_KEY = "leads:board:version"
_STAND_IN = "\x00board-column-status"  # a status no lead has: marks the parameter to replace


@dataclass(frozen=True)
class BoardFilters:
    """What the board is narrowed to (all optional)."""

    agent_id: int | None = None
    unassigned: bool = False
    source: str | None = None
    tour_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None

    def apply(self, qs: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.unassigned:
            qs = qs.filter(assigned_agent__isnull=True)
        elif self.agent_id is not None:
            qs = qs.filter(assigned_agent_id=self.agent_id)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.tour_id is not None:
            qs = qs.filter(tour_interest_id=self.tour_id)
        tz = timezone.get_current_timezone()
        if self.created_from is not None:
            start = datetime.combine(self.created_from, datetime.min.time(), tz)
            qs = qs.filter(created_at__gte=start)
        if self.created_to is not None:
            end = datetime.combine(self.created_to + timedelta(days=1), datetime.min.time(), tz)
            qs = qs.filter(created_at__lt=end)
        return qs


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a card shows, names resolved: no lookup left for the template."""

    pk: int
    status: str
    client_name: str
    tour_name: str | None
    agent_name: str | None
    lost_reason: str | None
    unread: int
    last_message_at: datetime | None
    status_since: datetime  # when the lead entered its status (its creation if never moved)


@dataclass
class Column:
    status: str
    label: str
    count: int
    cards: list[BoardCard] = field(default_factory=list)
    next_cursor: str | None = None


def _ordered(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    return qs.order_by(F("last_message_at").desc(nulls_first=True), "-pk")


def encode_cursor(card: BoardCard) -> str:
    stamp = card.last_message_at.isoformat() if card.last_message_at else ""
    return f"{stamp}|{card.pk}"


def _after(cursor: str) -> Q | None:
    """Leads that come after the cursor's card in the column's order; None for a bad cursor."""
    stamp, _sep, pk_text = cursor.rpartition("|")
    try:
        pk = int(pk_text)
        # parse_datetime raises on a well-formed impossible date ("2024-13-01T00:00")
        when = parse_datetime(stamp) if stamp else None
    except ValueError:
        return None
    if not 0 < pk < 2**63:
        return None
    if not stamp:
        return Q(last_message_at__isnull=True, pk__lt=pk) | Q(last_message_at__isnull=False)
    if when is None:
        return None
    return Q(last_message_at__lt=when) | Q(last_message_at=when, pk__lt=pk)


_ROW = (
    *("pk", "status", "client__name", "tour_interest_id", "assigned_agent_id", "lost_reason_id"),
    *("unread_messages_count", "last_message_at", "status_since"),
)
type _Row = tuple[Any, ...]


def _column_rows(
    leads: QuerySet[Lead], *, status: str, cursor: str | None, size: int
) -> tuple[list[_Row], bool]:
    """One column's page as plain rows (client joined, `status_since` computed), and whether
    more follow: one query."""
    after = _after(cursor) if cursor else None
    if cursor and after is None:
        return [], False
    rows = list(_column_query(leads, status=status, after=after)[: size + 1])
    return rows[:size], len(rows) > size


def _column_query(leads: QuerySet[Lead], *, status: str, after: Q | None = None) -> QuerySet[Any]:
    qs = leads.filter(status=status)
    if after is not None:
        qs = qs.filter(after)
    return _ordered(qs).annotate(status_since=status_changed_at_expression()).values_list(*_ROW)


def _first_pages(leads: QuerySet[Lead], *, size: int) -> list[tuple[list[_Row], bool]]:
    """Every column's first page: one `UNION ALL` of the columns' queries where the database
    takes a LIMIT in each part (PostgreSQL: one round trip instead of six), else a query each."""
    if not connections[leads.db].features.supports_slicing_ordering_in_compound:
        return [
            _column_rows(leads, status=status, cursor=None, size=size)
            for status in LeadStatus.values
        ]
    # One column's query compiled once with a stand-in status, its SQL repeated per status:
    # compiling six annotated querysets and their union cost ~6 ms of CPU a board.
    part = _column_query(leads, status=_STAND_IN)[: size + 1]
    sql, params = part.query.sql_with_params()
    at = [i for i, param in enumerate(params) if param == _STAND_IN]
    assert len(at) == 1, "the stand-in status is one parameter of the column's query"
    found: dict[str, list[_Row]] = {status: [] for status in LeadStatus.values}
    union = " UNION ALL ".join(f"({sql})" for _status in LeadStatus.values)
    every = [
        value
        for status in LeadStatus.values
        for value in (*params[: at[0]], status, *params[at[0] + 1 :])
    ]
    with connections[leads.db].cursor() as cursor:
        cursor.execute(union, every)
        for row in cursor.fetchall():
            found[row[1]].append(row)
    return [(found[s][:size], len(found[s]) > size) for s in LeadStatus.values]


def _names(model: type[Model], ids: set[int], field: str = "name") -> dict[int, str]:
    if not ids:
        return {}
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", field))


def _cards(pages: list[list[_Row]]) -> list[list[BoardCard]]:
    """Cards of the rows of one column or several, the names of their tours, agents and lost
    reasons read once (a query per kind that occurs)."""
    rows = [row for page in pages for row in page]
    tours = _names(Tour, {r[3] for r in rows if r[3] is not None})
    agents = _names(User, {r[4] for r in rows if r[4] is not None})
    reasons = _names(LostReason, {r[5] for r in rows if r[5] is not None})
    tour_names = {pk: str(Tour(pk=pk, name=name)) for pk, name in tours.items()}  # "Tour #3"
    return [
        [
            BoardCard(
                pk=pk,
                status=status,
                client_name=client_name,
                tour_name=tour_names.get(tour_id) if tour_id is not None else None,
                agent_name=agents.get(agent_id) if agent_id is not None else None,
                lost_reason=reasons.get(reason_id) if reason_id is not None else None,
                unread=unread or 0,
                last_message_at=last_message_at,
                status_since=status_since,
            )
            for (
                pk,
                status,
                client_name,
                tour_id,
                agent_id,
                reason_id,
                unread,
                last_message_at,
                status_since,
            ) in page
        ]
        for page in pages
    ]


def board_cards(
    leads: QuerySet[Lead], *, status: str, cursor: str | None = None, size: int = COLUMN_SIZE
) -> tuple[list[BoardCard], str | None]:
    """One column's page of cards and the cursor of the next page (None at the end): one query,
    and one per kind of name on the cards (tours, agents, lost reasons)."""
    rows, more = _column_rows(leads, status=status, cursor=cursor, size=size)
    (cards,) = _cards([rows])
    return cards, (encode_cursor(cards[-1]) if more and cards else None)


def _counts_key(scope: str, filters: BoardFilters) -> str:
    version = cache.get(_VERSION_KEY) or 0
    digest = hashlib.sha256(f"{scope}|{filters!r}".encode()).hexdigest()[:16]
    return f"leads:board:counts:{version}:{digest}"


def board_counts(leads: QuerySet[Lead], *, key: str) -> dict[str, int]:
    """Leads per status of the (visible, filtered) `leads`: one GROUP BY, cached under `key`
    (`board_counts_key`: who sees what, the filters) until the next lead write or `COUNTS_TTL`."""
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    rows = leads.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    counts = {status: 0 for status in LeadStatus.values}
    counts.update({status: n for status, n in rows})
    cache.set(key, counts, COUNTS_TTL)
    return counts


def board_counts_key(*, visibility: str, filters: BoardFilters) -> str:
    return _counts_key(visibility, filters)


def board_counts_changed() -> None:
    """Lead statuses, agents or the set of leads changed: announced as `LEADS` (`lib.changes`),
    which makes the board's cached counts (`on_leads_changed`) and the reports' lead figures
    stale after the commit. Any write that announces `LEADS` (a client's deletion, taking its
    leads) reaches the board the same way."""
    reports_changed(LEADS)


def on_leads_changed(*, topics: tuple[str, ...], **kwargs: Any) -> None:
    """`lib.changes.data_changed`'s receiver (connected in `LeadsConfig.ready`)."""
    if LEADS not in topics:
        return

    def bump() -> None:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:
            cache.set(_VERSION_KEY, 1, None)

    transaction.on_commit(bump)


def board_columns(
    leads: QuerySet[Lead], *, counts_key: str, size: int = FIRST_CARDS
) -> list[Column]:
    """Every status's column: its count and first `size` cards. Queries: the counts (when not
    cached), one per column, one per kind of name on the cards."""
    counts = board_counts(leads, key=counts_key)
    pages = _first_pages(leads, size=size)
    columns = []
    cards_of = _cards([rows for rows, _more in pages])
    for (status, label), (_rows, more), cards in zip(
        LeadStatus.choices, pages, cards_of, strict=True
    ):
        cursor = encode_cursor(cards[-1]) if more and cards else None
        columns.append(Column(status, str(label), counts.get(status, 0), cards, cursor))
    return columns
