"""Keyset pages walk a list exactly once, ties on the ordering column included; counts cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dreamland.clients.models import Client
from dreamland.lib.keyset import (
    InvalidCursor,
    capped_count,
    decode_cursor,
    encode_cursor,
    keyset_page,
)


def _clients(n: int, *, ties: bool = False) -> list[int]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [Client(name=f"C{i}", phone=f"+7701{i:07d}") for i in range(n)]
    Client.objects.bulk_create(rows)
    for i, c in enumerate(Client.objects.order_by("pk")):
        stamp = base if ties and i % 2 else base + timedelta(minutes=i)
        Client.objects.filter(pk=c.pk).update(created_at=stamp)
    return list(Client.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))


@pytest.mark.parametrize("ties", [False, True])
def test_pages_cover_the_list_once_in_order(db, ties):
    expected = _clients(23, ties=ties)
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(Client.objects.all(), "created_at", cursor=cursor, limit=5)
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_a_page_is_one_query(db, django_assert_num_queries):
    _clients(12)
    first = keyset_page(Client.objects.all(), "created_at", cursor=None, limit=5)
    with django_assert_num_queries(1):
        keyset_page(Client.objects.all(), "created_at", cursor=first.next_cursor, limit=5)


def test_cursors_round_trip_and_garbage_is_refused():
    stamp = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor(stamp, 42)) == (stamp, 42)
    assert decode_cursor(encode_cursor(7, 3)) == (7, 3)
    for bad in ["", "garbage!", "W10", encode_cursor(stamp, 1)[:-3] + "x", "WyJ0IiwxLDFd"]:
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_capped_count_is_exact_while_small(db):
    _clients(7)
    assert capped_count(Client.objects.all(), cap=10) == (7, True)
    assert capped_count(Client.objects.all(), cap=7) == (7, True)
    assert capped_count(Client.objects.all(), cap=5) == (5, False)
