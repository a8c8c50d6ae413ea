"""Keyset ("seek") pagination and capped counts: lists that stay fast at a million rows.

OFFSET walks every skipped row and an exact COUNT(*) walks every matching row; both grow with the
table. A keyset page instead starts *after* the last row shown, `WHERE (col, id) < (v, pk)`, which
an index on `(col DESC, id DESC)` answers by seeking: the 2,000th page costs what the first does.

Usage (a list newest first)::

    qs = Communication.objects.filter(client=client)  # any filters
    page = keyset_page(qs, "created_at", cursor=request.GET.get("cursor"), limit=50)
    page.items, page.next_cursor  # next_cursor is None on the last page

    count, exact = capped_count(qs)  # exact while <= COUNT_CAP, else (COUNT_CAP, False)

The ordering column must be NOT NULL (created_at is; for a nullable one such as
`leads.last_message_at` order by a non-null copy or keep NULLs out of the list). Cursors are
opaque, URL-safe strings; a tampered or stale one raises `InvalidCursor` (a `ValueError`), which
views turn into a 400 / the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

# Totals beyond this are reported as "at least COUNT_CAP": counting more walks too many rows.
COUNT_CAP = 1000


class InvalidCursor(ValueError):
    """A cursor that was not made by `encode_cursor` (tampered, truncated, another list's)."""


def encode_cursor(value: datetime | int | str, pk: int) -> str:
    """An opaque cursor for the row with ordering value `value` and primary key `pk`."""
    raw = value.isoformat() if isinstance(value, datetime) else value
    kind = "t" if isinstance(value, datetime) else "v"
    data = json.dumps([kind, raw, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | int | str, int]:
    """The (value, pk) a cursor stands for; `InvalidCursor` for anything else."""
    try:
        data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, raw, pk = json.loads(data)
        if not isinstance(pk, int) or isinstance(pk, bool) or kind not in ("t", "v"):
            raise InvalidCursor(cursor)
        if kind == "t":
            stamp = datetime.fromisoformat(raw)
            if timezone.is_naive(stamp):
                raise InvalidCursor(cursor)
            value: datetime | int | str = stamp
        elif isinstance(raw, int | str) and not isinstance(raw, bool):
            value = raw
        else:
            raise InvalidCursor(cursor)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise InvalidCursor(cursor) from exc
    return value, pk


def after_cursor[M: Model](qs: QuerySet[M], field: str, cursor: str) -> QuerySet[M]:
    """Rows after the cursor in `-field, -pk` order.

    Written as `field <= v AND (field < v OR pk < p)` rather than the bare OR: the first term is
    an index condition (the scan seeks to v), the second only trims rows that tie on v.
    """
    value, pk = decode_cursor(cursor)
    return qs.filter(Q(**{f"{field}__lte": value}), Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))


@dataclass(frozen=True, slots=True)
class KeysetPage[M: Model]:
    items: list[M]
    next_cursor: str | None


def keyset_page[M: Model](
    qs: QuerySet[M], field: str, *, cursor: str | None, limit: int
) -> KeysetPage[M]:
    """Up to `limit` rows of `qs` newest first by (`field`, pk), starting after `cursor`.

    One query: it fetches `limit + 1` rows to learn whether a next page exists.
    """
    if cursor:
        qs = after_cursor(qs, field, cursor)
    rows = list(qs.order_by(f"-{field}", "-pk")[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(_value(items[-1], field), items[-1].pk) if more else None
    return KeysetPage(items=items, next_cursor=next_cursor)


def _value(obj: Any, field: str) -> Any:
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact): the exact count while it is at most `cap`, else (`cap`, False).

    `SELECT COUNT(*) FROM (… LIMIT cap + 1)`: the database stops after cap + 1 rows instead of
    walking every match.
    """
    n = qs.order_by()[: cap + 1].count()
    return (n, True) if n <= cap else (cap, False)


def first_page_and_count[M: Model](
    qs: QuerySet[M], size: int, cap: int = COUNT_CAP
) -> tuple[list[M], bool, int, bool]:
    """The first `size` rows of the ordered `qs`, whether more follow, and `capped_count`'s
    (count, exact) — from one pass over the matches instead of two.

    The keys of the first `cap + 1` matches in the list's order give both the page and the
    count; then the page's rows are read by key. Where each match is costly to test (an agent's
    visibility is a subquery per client) the page and the count used to test the same rows
    twice: a name search for an agent, 50 ms → 27 ms. Two queries (one when nothing matches).

    The rows are read by key alone, from `qs`'s model with `qs`'s select_related: the keys
    passed the filters a moment ago, and testing them again cost PostgreSQL the name filter's
    planning and the visibility subquery once more (~9 ms of a name search). So `qs` must not
    carry annotations the caller reads from the rows.
    """
    keys = list(qs.values_list("pk", flat=True)[: cap + 1])
    wanted = keys[: size + 1]
    by_pk = qs.model._default_manager.filter(pk__in=wanted)
    if qs.query.select_related:
        by_pk.query.select_related = qs.query.select_related
    by_key = {row.pk: row for row in by_pk} if wanted else {}
    rows = [by_key[k] for k in wanted if k in by_key]  # a row deleted in between is left out
    count, exact = (len(keys), True) if len(keys) <= cap else (cap, False)
    return rows[:size], len(rows) > size, count, exact
