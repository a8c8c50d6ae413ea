"""The inbound batch keeps `first_inbound_at` (the reports' response times) and the outbound
send keeps `first_response_at`, through the same rules as a single message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.lib.changes import LEADS
from dreamland.reports.freshness import report_versions
from dreamland.whatsapp.inbound import events_process_received
from dreamland.whatsapp.models import WebhookEvent
from dreamland.whatsapp.testing import message_body

pytestmark = pytest.mark.django_db(transaction=True)


def _store(wamid: str, timestamp: int, wa_id: str = "77011234567") -> None:
    body = message_body(
        {"id": wamid, "timestamp": str(timestamp), "type": "text", "text": {"body": "Сәлем"}},
        wa_id=wa_id,
    )
    WebhookEvent.objects.create(raw_body=json.dumps(body).encode(), signature="")


def test_a_batch_sets_the_earliest_first_inbound_time_and_tells_the_reports_once() -> None:
    client = Client.objects.create(name="Aigerim", phone="+77011234567")
    lead = Lead.objects.create(client=client, unread_messages_count=0)
    before = report_versions()[LEADS]
    # out of order within the batch: the earliest wins
    _store("wamid.b2", 1718000200)
    _store("wamid.b1", 1718000100)
    events_process_received()
    lead.refresh_from_db()
    assert lead.first_inbound_at == datetime.fromtimestamp(1718000100, tz=UTC)
    assert lead.unread_messages_count == 2
    after = report_versions()[LEADS]
    assert after != before
    # a later message moves nothing and leaves the reports' cache alone
    _store("wamid.b3", 1718000300)
    events_process_received()
    lead.refresh_from_db()
    assert lead.first_inbound_at == datetime.fromtimestamp(1718000100, tz=UTC)
    assert report_versions()[LEADS] == after
