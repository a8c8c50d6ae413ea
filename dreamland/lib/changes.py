"""Writes announce what they changed, without knowing who listens: the reports' caches do.

A service that changes data a report reads calls `reports_changed(TOPIC, …)`; the reports app
(`reports.freshness`, connected in its `AppConfig.ready`) bumps the topics' versions after the
commit. The announcement lives here, in the shared toolbox that imports no app, so that the
services of every app can make it while the reports' reads import those apps: one way only.

- `LEADS`: lead create, status, assignment, source, first-message times, agents' names, imports;
- `CLIENTS`: client create, update, delete, imports;
- `SALES`: bookings, payments, exchange rates, tours and departures.
"""

from __future__ import annotations

from django.dispatch import Signal

LEADS, CLIENTS, SALES = "leads", "clients", "sales"
TOPICS = (LEADS, CLIENTS, SALES)

# Sent with `topics`: a tuple of TOPICS changed in the current transaction (or just now).
data_changed = Signal()


def reports_changed(*topics: str) -> None:
    """The data of `topics` changed in the current transaction (at once outside one)."""
    assert topics and set(topics) <= set(TOPICS), topics
    data_changed.send(sender=None, topics=topics)
