"""Reads of the pipeline board: a column of leads per status, and the per-status counts.

Each column is one `LIMIT` query on the index leads (status, last_message_at DESC), newest
message first (leads nobody has written about yet on top: NULLS FIRST, the index's own order on
PostgreSQL), then by id; "more" continues from the last card with a keyset cursor, never an
OFFSET. Counting a whole status costs tens of milliseconds on a big table (PERFORMANCE.md), so
the counts are cached briefly; every lead write bumps a version (`board_counts_changed`, called
by the lead services on commit) so a move shows at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dreamland.audit.selectors import status_changed_at_expression
from dreamland.leads.models import Lead, LeadStatus
from dreamland.reports.freshness import LEADS, reports_changed

COLUMN_SIZE = 50
COUNTS_TTL = 60  # seconds: the upper bound of a stale count if a write bypassed the services
_VERSION_KEY = "leads:board:version"


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


@dataclass
class Column:
    status: str
    label: str
    count: int
    cards: list[Lead] = field(default_factory=list)
    next_cursor: str | None = None


def _ordered(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    return qs.order_by(F("last_message_at").desc(nulls_first=True), "-pk")


def encode_cursor(lead: Lead) -> str:
    stamp = lead.last_message_at.isoformat() if lead.last_message_at else ""
    return f"{stamp}|{lead.pk}"


def _after(cursor: str) -> Q | None:
    """Leads that come after the cursor's card in the column's order; None for a bad cursor."""
    stamp, _sep, pk_text = cursor.rpartition("|")
    try:
        pk = int(pk_text)
    except ValueError:
        return None
    if not stamp:
        return Q(last_message_at__isnull=True, pk__lt=pk) | Q(last_message_at__isnull=False)
    when = parse_datetime(stamp)
    if when is None:
        return None
    return Q(last_message_at__lt=when) | Q(last_message_at=when, pk__lt=pk)


def board_cards(
    leads: QuerySet[Lead], *, status: str, cursor: str | None = None, size: int = COLUMN_SIZE
) -> tuple[list[Lead], str | None]:
    """One column's page of cards (client, tour, agent joined; `status_since` annotated) and the
    cursor of the next page (None at the end): one query."""
    qs = leads.filter(status=status)
    if cursor:
        after = _after(cursor)
        if after is None:
            return [], None
        qs = qs.filter(after)
    rows: list[Lead] = list(
        _ordered(qs)
        .select_related("client", "tour_interest", "assigned_agent", "lost_reason")
        .annotate(status_since=status_changed_at_expression())[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


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
    """Lead statuses, agents or the set of leads changed: cached counts are stale (after commit).

    The reports' lead figures too (`reports.freshness`, their version kept in the database):
    every lead write calls this, so a lead write needs no second call."""
    reports_changed(LEADS)

    def bump() -> None:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:
            cache.set(_VERSION_KEY, 1, None)

    transaction.on_commit(bump)


def board_columns(
    leads: QuerySet[Lead], *, counts_key: str, statuses: list[Any] | None = None
) -> list[Column]:
    """Every status's column: its count and first page of cards (1 + one query per column)."""
    counts = board_counts(leads, key=counts_key)
    columns = []
    for status, label in LeadStatus.choices:
        if statuses is not None and status not in statuses:
            continue
        cards, cursor = board_cards(leads, status=status)
        columns.append(Column(status, str(label), counts.get(status, 0), cards, cursor))
    return columns
