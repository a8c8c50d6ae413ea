"""A processing failure never loses the event: it is recorded, retried and replayable."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging import inbound as message_store
from dreamland.messaging.models import Communication
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import fixture_bytes, message_body, post_json, post_raw

pytestmark = pytest.mark.django_db


def _break_processing(monkeypatch: Any) -> None:
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(message_store, "leads_open_many", boom)


def test_a_processing_failure_still_answers_200_and_is_recorded(
    client: HttpClient, monkeypatch: Any
) -> None:
    _break_processing(monkeypatch)
    response = post_raw(client, fixture_bytes("kz_text_message.json"))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert event.attempts == 1
    assert "database hiccup" in event.last_error
    assert Communication.objects.count() == 0


def test_replay_processes_failed_events_and_prints_a_summary(
    client: HttpClient, monkeypatch: Any
) -> None:
    _break_processing(monkeypatch)
    post_raw(client, fixture_bytes("kz_text_message.json"))
    monkeypatch.undo()
    out = StringIO()
    call_command("replay_webhooks", stdout=out)
    assert "Replayed 1 event(s): processed 1" in out.getvalue()
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts) == (EventStatus.PROCESSED, 2)
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1


def test_replaying_a_processed_event_writes_nothing_twice(client: HttpClient) -> None:
    post_raw(client, fixture_bytes("kz_text_message.json"))
    event = WebhookEvent.objects.get()
    out = StringIO()
    call_command("replay_webhooks", "--id", str(event.pk), stdout=out)
    call_command("replay_webhooks", "--all", "--since", "2000-01-01", stdout=out)
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1


def test_replay_by_default_leaves_processed_events_alone(client: HttpClient) -> None:
    post_raw(client, fixture_bytes("kz_text_message.json"))
    out = StringIO()
    call_command("replay_webhooks", stdout=out)
    assert "Replayed 0 event(s)." in out.getvalue()
    assert WebhookEvent.objects.get().attempts == 1


def test_an_unknown_id_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No webhook event with id 999"):
        call_command("replay_webhooks", "--id", "999")


def test_an_unmatched_event_is_tied_once_the_client_has_the_bsuid(
    client: HttpClient, make_client: Any
) -> None:
    body = message_body(
        {"id": "wamid.bs", "from_user_id": "US.7", "type": "text", "text": {"body": "hi"}},
        wa_id=None,
        user_id="US.7",
    )
    post_json(client, body)
    make_client(whatsapp_user_id="US.7")
    call_command("replay_webhooks", "--status", "unmatched", stdout=StringIO())
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED
    assert Communication.objects.get().client == Client.objects.get(whatsapp_user_id="US.7")


def test_a_processed_event_with_one_unmatched_message_is_replayed_as_unmatched(
    client: HttpClient, make_client: Any
) -> None:
    body = message_body({"id": "wamid.ok", "type": "text", "text": {"body": "hi"}})
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].append(
        {"id": "wamid.bs2", "from_user_id": "US.8", "timestamp": "1718000001", "type": "text"}
    )
    post_json(client, body)
    event = WebhookEvent.objects.get()
    assert (event.status, event.unmatched_messages) == (EventStatus.PROCESSED, 1)
    make_client(whatsapp_user_id="US.8")
    call_command("replay_webhooks", "--status", "unmatched", stdout=StringIO())
    event.refresh_from_db()
    assert (event.status, event.unmatched_messages, event.notes) == (EventStatus.PROCESSED, 0, None)
    assert Communication.objects.count() == 2
