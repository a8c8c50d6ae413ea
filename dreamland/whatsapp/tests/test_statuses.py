"""Delivery statuses only move forward, whatever order Meta sends them in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import fixture_bytes, post_json, post_raw, status_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbound(make_client: Any) -> Communication:
    return Communication.objects.create(
        client=make_client(phone="+972987654321"),
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        body="Hello",
        whatsapp_message_id="wamid.xyzxyz",
        whatsapp_status=WhatsAppStatus.PENDING,
    )


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def test_sent_delivered_read_samples_move_the_status_forward(
    client: HttpClient, outbound: Communication
) -> None:
    for name, expected in [
        ("status_sent.json", WhatsAppStatus.SENT),
        ("status_delivered.json", WhatsAppStatus.DELIVERED),
        ("status_read.json", WhatsAppStatus.READ),
    ]:
        assert post_raw(client, fixture_bytes(name)).status_code == 200
        outbound.refresh_from_db()
        assert outbound.whatsapp_status == expected
    assert outbound.sent_at == _at(1698266945)
    assert outbound.read_at == _at(1689380458)


def test_out_of_order_sent_read_delivered_duplicate_read_ends_read(
    client: HttpClient, outbound: Communication
) -> None:
    for status, ts in [("sent", "100"), ("read", "300"), ("delivered", "200"), ("read", "300")]:
        assert post_json(client, status_body("wamid.xyzxyz", status, ts)).status_code == 200
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.READ
    assert (outbound.sent_at, outbound.delivered_at, outbound.read_at) == (
        _at(100),
        _at(300),
        _at(300),
    )


def test_read_implies_delivered_when_delivered_never_comes(
    client: HttpClient, outbound: Communication
) -> None:
    post_json(client, status_body("wamid.xyzxyz", "read", "500"))
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.READ
    assert outbound.delivered_at == _at(500)
    assert outbound.sent_at == _at(500)


def test_a_played_voice_note_counts_as_read(client: HttpClient, outbound: Communication) -> None:
    post_json(client, status_body("wamid.xyzxyz", "played", "500"))
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.READ


def test_a_failed_status_records_metas_code_and_title(
    client: HttpClient, outbound: Communication
) -> None:
    post_raw(client, fixture_bytes("status_failed.json"))
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.FAILED
    assert outbound.error_code == 130472
    assert "User's number is part of an experiment" in (outbound.error_message or "")
    assert outbound.failed_at == _at(1689380458)


@pytest.mark.parametrize(
    ("code", "title"), [(131047, "Re-engagement message"), (131026, "Message undeliverable")]
)
def test_asynchronous_send_failures_are_recorded(
    client: HttpClient, outbound: Communication, code: int, title: str
) -> None:
    post_json(client, status_body("wamid.xyzxyz", "sent", "100"))
    errors = [{"code": code, "title": title, "message": title, "error_data": {"details": "…"}}]
    post_json(client, status_body("wamid.xyzxyz", "failed", "110", errors=errors))
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.FAILED
    assert outbound.error_code == code
    assert outbound.sent_at == _at(100)


def test_a_late_failed_does_not_undo_a_read(client: HttpClient, outbound: Communication) -> None:
    post_json(client, status_body("wamid.xyzxyz", "read", "300"))
    post_json(
        client,
        status_body("wamid.xyzxyz", "failed", "310", errors=[{"code": 131000, "title": "x"}]),
    )
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.READ
    assert outbound.error_code == 131000


def test_a_status_for_an_unknown_wamid_is_kept_on_the_event(client: HttpClient) -> None:
    assert post_json(client, status_body("wamid.unknown", "delivered")).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.PROCESSED
    assert event.notes == [{"unknown_status": "wamid.unknown", "status": "delivered"}]


def test_messages_and_statuses_in_one_body(client: HttpClient, outbound: Communication) -> None:
    body = status_body("wamid.xyzxyz", "delivered", "200")
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"] = [{"profile": {"name": "A"}, "wa_id": "77011234567"}]
    value["messages"] = [
        {
            "from": "77011234567",
            "id": "wamid.in",
            "timestamp": "201",
            "type": "text",
            "text": {"body": "ok"},
        }
    ]
    post_json(client, body)
    outbound.refresh_from_db()
    assert outbound.whatsapp_status == WhatsAppStatus.DELIVERED
    assert Communication.objects.get(whatsapp_message_id="wamid.in").body == "ok"
