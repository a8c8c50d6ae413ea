"""A lead's first inbound message and its first response, kept on the lead row.

`Lead.first_inbound_at` is the time of the lead's earliest inbound message; `first_response_at`
the earliest outbound message at or after it (a message sent before the client first wrote is
no response). The reports read them instead of searching each lead's messages.

Every path that stores a message attached to a lead keeps them in the same transaction:
- an inbound message: `first_inbound_note` (one UPDATE; a set-based path runs
  `UPDATE leads SET first_inbound_at = LEAST(first_inbound_at, <message created_at>)` per lead,
  with the batch's earliest message of each lead: PostgreSQL's LEAST skips a NULL);
- an outbound one: `first_response_note`.
Each announces it to the reports (`lib.changes.reports_changed(LEADS)`) when it
changed a time; a set-based path does so once per batch that changed any.
`first_messages_backfill` recomputes both from the communications (migration 0008, seed_scale:
before any report is cached, so it bumps no version).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from dreamland.leads.models import Lead
from dreamland.lib.changes import LEADS, reports_changed
from dreamland.messaging.models import Communication, Direction


def first_inbound_note(*, lead_id: int, at: datetime) -> None:
    """An inbound message of the lead stored at `at`: the earlier of it and the kept time.
    Only a changed time makes the reports recompute (a lead's later messages change nothing)."""
    if Lead.objects.filter(
        Q(first_inbound_at__isnull=True) | Q(first_inbound_at__gt=at), pk=lead_id
    ).update(first_inbound_at=at):
        reports_changed(LEADS)


def first_response_note(*, lead_id: int, at: datetime) -> None:
    """An outbound message of the lead stored at `at`: the first response when the client has
    written and nothing earlier answered."""
    if Lead.objects.filter(
        Q(first_response_at__isnull=True) | Q(first_response_at__gt=at),
        pk=lead_id,
        first_inbound_at__lte=at,
    ).update(first_response_at=at):
        reports_changed(LEADS)


def first_messages_backfill(
    leads: QuerySet[Lead] | None = None, communications: QuerySet[Communication] | None = None
) -> int:
    """Both times of `leads` (every lead by default) recomputed from `communications`, with one
    index lookup each on communications (lead, direction, created_at); returns how many leads
    have a first inbound message. A migration passes its historical models' querysets."""
    leads = Lead.objects.all() if leads is None else leads
    comms = Communication.objects.all() if communications is None else communications
    messages = comms.filter(lead=OuterRef("pk")).order_by("created_at")
    first_in = messages.filter(direction=Direction.INBOUND).values("created_at")[:1]
    first_out = messages.filter(
        direction=Direction.OUTBOUND, created_at__gte=OuterRef("first_inbound_at")
    ).values("created_at")[:1]
    # two statements: the second reads the first's result from the row
    leads.update(first_inbound_at=Subquery(first_in), first_response_at=None)
    return leads.filter(first_inbound_at__isnull=False).update(
        first_response_at=Subquery(first_out)
    )
