"""When the reports' figures go stale: a version per topic, kept in the database.

The reports' sections are cached (`reports.results`) under keys that name the versions of the
topics each reads. Every service write that can change a report announces its topics
(`lib.changes.reports_changed`); after the transaction commits, the topics' counters in `report_versions` go up by
one, so the next page view reads new versions, misses the cache and recomputes. The counters
live in the database, not in the cache: with the local-memory cache each gunicorn worker has its
own cache, and a version kept there would be bumped only in the worker that made the write. A
page view reads every counter in one query on a table of three rows; a stale entry in any
worker's cache is then simply never asked for again (and expires after `results.TTL`).

Topics and their writers:
- `LEADS`: lead create, status, assignment, source (through `leads.board.board_counts_changed`,
  which every lead write calls, the inbound batch `leads_open_many` too), the first-message
  times (`leads.first_messages`), agents' names (`accounts.services`), imports;
- `CLIENTS`: client create, update, delete, imports (a client created by an inbound message
  comes with its new lead, which bumps `LEADS`, and the sections counting clients read both);
- `SALES`: bookings, payments, exchange rates, tours and departures.

The bump runs after commit (`transaction.on_commit`), outside the writer's transaction, so
writers never queue on the counter row while their transaction is open. A reader that read the
old version just before the bump caches what it computed under the old key, which no later view
asks for.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection, transaction

from dreamland.lib.changes import TOPICS
from dreamland.reports.models import ReportVersion

_pending = threading.local()  # topics told of in this thread's transaction, not yet bumped


def on_data_changed(*, topics: tuple[str, ...], **kwargs: Any) -> None:
    """`lib.changes.data_changed`'s receiver (connected in `ReportsConfig.ready`): after the
    transaction commits (at once outside one), the topics' versions go up and the reports
    reading them recompute.

    Several announcements in one transaction (an inbound batch tells of new clients, new leads
    and first-message times) make one statement: the first callback to run bumps every topic
    told of so far, the others find nothing left. A callback dropped with a rolled-back
    savepoint leaves its topics to the next one: a needless recompute at worst, never a stale
    report.
    """
    if not hasattr(_pending, "topics"):
        _pending.topics = set()
    _pending.topics.update(topics)
    transaction.on_commit(_bump_pending)


def _bump_pending() -> None:
    topics = tuple(_pending.topics)
    _pending.topics.clear()
    if topics:
        _bump(topics)


def _bump(topics: tuple[str, ...]) -> None:
    """One statement, the rows in topic order (one lock order for every writer)."""
    names = sorted(set(topics))
    table = ReportVersion._meta.db_table
    rows = ", ".join(["(%s, 1)"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (topic, version) VALUES {rows}"  # noqa: S608 (placeholders only)
            f" ON CONFLICT (topic) DO UPDATE SET version = {table}.version + 1",
            names,
        )


def report_versions() -> dict[str, int]:
    """Every topic's version (0 when never bumped): one query."""
    versions = dict.fromkeys(TOPICS, 0)
    versions.update(ReportVersion.objects.values_list("topic", "version"))
    return versions
