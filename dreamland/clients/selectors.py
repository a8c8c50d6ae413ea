"""Client reads for the list page: search by name or phone in any spelling, keyset pages.

Only clients' own columns and reverse relations (no import of another app's domain module: the
apps' domain modules depend one way, see `lib/tests/test_import_graph.py`). The caller passes
the queryset the viewer may see (`dreamland.api.access.visible_clients`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from dreamland.clients.models import Client
from dreamland.lib.keyset import capped_count, first_page_and_count
from dreamland.lib.phones import normalize_phone

PAGE_SIZE = 50
# Past this many matches the list says "more than N" instead of counting 100k rows.
COUNT_CAP = 1000
_PHONE_LIKE = re.compile(r"^[\d\s()+\-.]+$")
_DIGITS = re.compile(r"\D+")
MIN_PREFIX_DIGITS = 3


def client_name_search(qs: QuerySet[Client], text: str) -> QuerySet[Client]:
    """Clients whose name contains `text`, any case: the one rule of the list's search box and
    the API's `name` filter. `UPPER(name) LIKE '%…%'`, which PostgreSQL answers from the
    trigram index clients_name_trgm_idx (SQLite scans)."""
    return qs.filter(name__icontains=text.replace("\x00", ""))


def client_search(qs: QuerySet[Client], q: str) -> QuerySet[Client]:
    """Clients whose name contains `q`, or whose phone is `q` in any spelling.

    A full number (`8 (701) 123-45-67`) is normalised and matched exactly (the unique index);
    a partial one matches as a prefix of the stored digits (`8701` and `+7701` both → `+7701…`).
    Text goes to `client_name_search`.
    """
    q = q.strip()
    if not q:
        return qs
    if _PHONE_LIKE.match(q):
        try:
            return qs.filter(phone=normalize_phone(q))
        except ValidationError:
            pass
        digits = _DIGITS.sub("", q)
        if len(digits) < MIN_PREFIX_DIGITS:
            return client_name_search(qs, q)
        if digits.startswith("8") and not q.lstrip().startswith("+"):
            digits = "7" + digits[1:]  # Kazakhstan's trunk prefix 8 is the country code 7.
        return qs.filter(phone__startswith="+" + digits)
    return client_name_search(qs, q)


def client_filter(
    qs: QuerySet[Client],
    *,
    status: str = "",
    agent_id: int | None = None,
    unassigned: bool = False,
    no_lead: bool = False,
) -> QuerySet[Client]:
    """Narrow by the clients' leads: one with `status`, one assigned to `agent_id`, one
    unassigned, or no lead at all. Several conditions must hold on the same lead."""
    if no_lead:
        return qs.filter(leads__isnull=True)
    lead: dict[str, object] = {}
    if status:
        lead["leads__status"] = status
    if agent_id is not None:
        lead["leads__assigned_agent_id"] = agent_id
    if unassigned:
        lead["leads__assigned_agent__isnull"] = True
    if not lead:
        return qs
    lead["leads__isnull"] = False  # an unassigned *lead*, not a client without one
    # One filter() call: every condition on the same lead; IN (subquery) keeps rows distinct.
    return qs.filter(pk__in=Client.objects.filter(**lead).values("pk"))


@dataclass(frozen=True)
class Cursor:
    """Where a page of the list starts: after the row (created_at, id), newest first."""

    created_at: datetime
    pk: int

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}_{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """A cursor from the `?after=` parameter; None for a missing or malformed one."""
        if not raw or "_" not in raw:
            return None
        stamp, _, pk = raw.rpartition("_")
        try:  # an impossible date ("2024-13-01T00:00") raises, as does "²".isdigit()'s int()
            when = parse_datetime(stamp.replace(" ", "+"))
            key = int(pk) if pk.isascii() else -1
        except ValueError:
            return None
        if when is None or not 0 < key < 2**63:
            return None
        return cls(when, key)


@dataclass(frozen=True)
class ClientPage:
    rows: list[Client]
    next_cursor: str | None
    count: int
    count_exact: bool


def client_page(
    qs: QuerySet[Client],
    *,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
    one_pass: bool = True,
) -> ClientPage:
    """One page newest first by (created_at, id) after `after`, and a count capped at COUNT_CAP.

    Two queries whatever the size: on the first page the keys of the first COUNT_CAP + 1
    matches (the count and the page from one pass: a search tests each candidate's visibility
    once) and the page's rows; after a cursor, the page (one row more than asked tells whether
    there is a next) and the capped count. `one_pass=False` (a manager's list: a match costs
    nothing to test) reads the first page like the next ones: the top rows and a count that
    stops at the cap are cheaper than the keys of every match in order (name search 8 -> 5 ms).
    """
    ordered = qs.order_by("-created_at", "-pk")
    if after is None and one_pass:
        rows, more, count, exact = first_page_and_count(ordered, size, COUNT_CAP)
    else:
        count, exact = capped_count(qs.values("pk"), COUNT_CAP)  # unordered: no sort to count
        if after is not None:
            ordered = ordered.filter(
                Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, pk__lt=after.pk)
            )
        rows = list(ordered[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
    cursor = Cursor(rows[-1].created_at, rows[-1].pk).encode() if more and rows else None
    return ClientPage(rows=rows, next_cursor=cursor, count=count, count_exact=exact)
