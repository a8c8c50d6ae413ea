"""A lead's first inbound message and first response, kept on the lead for the reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dreamland.leads.first_messages import (
    first_inbound_note,
    first_messages_backfill,
    first_response_note,
)
from dreamland.messaging.journal import communication_log
from dreamland.messaging.models import Communication

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _times(lead):
    lead.refresh_from_db()
    return lead.first_inbound_at, lead.first_response_at


def test_a_reply_before_the_client_wrote_is_no_response(make_lead):
    lead = make_lead()
    first_response_note(lead_id=lead.pk, at=T0)
    first_inbound_note(lead_id=lead.pk, at=T0 + timedelta(minutes=5))
    assert _times(lead) == (T0 + timedelta(minutes=5), None)
    first_response_note(lead_id=lead.pk, at=T0 + timedelta(minutes=9))
    first_response_note(lead_id=lead.pk, at=T0 + timedelta(minutes=20))  # not the first
    assert _times(lead) == (T0 + timedelta(minutes=5), T0 + timedelta(minutes=9))


def test_later_inbound_messages_keep_the_first_time_and_an_earlier_one_takes_over(make_lead):
    lead = make_lead()
    first_inbound_note(lead_id=lead.pk, at=T0)
    first_inbound_note(lead_id=lead.pk, at=T0 + timedelta(hours=1))
    assert _times(lead)[0] == T0
    first_inbound_note(lead_id=lead.pk, at=T0 - timedelta(hours=1))  # stored late
    assert _times(lead)[0] == T0 - timedelta(hours=1)


def test_a_logged_call_keeps_the_times(make_lead, agent):
    lead = make_lead(assigned_agent=agent)
    asked = communication_log(
        client=lead.client,
        communication_type="phone",
        direction="inbound",
        body="?",
        sent_by=None,
        lead=lead,
    )
    answered = communication_log(
        client=lead.client,
        communication_type="phone",
        direction="outbound",
        body="!",
        sent_by=agent,
        lead=lead,
    )
    assert _times(lead) == (asked.created_at, answered.created_at)


def test_the_backfill_finds_the_times_from_the_messages(make_lead):
    lead, silent = make_lead(), make_lead()
    for minutes, direction in ((0, "outbound"), (10, "inbound"), (25, "outbound"), (40, "inbound")):
        Communication.objects.create(
            client=lead.client,
            lead=lead,
            communication_type="whatsapp",
            direction=direction,
            created_at=T0 + timedelta(minutes=minutes),
        )
    assert first_messages_backfill() == 1
    assert _times(lead) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=25))
    assert _times(silent) == (None, None)
