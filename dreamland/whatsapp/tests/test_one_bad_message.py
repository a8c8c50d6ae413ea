"""One message that cannot be written must not hold back the others of the same body."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.clients.models import Client
from dreamland.messaging import inbound as message_store
from dreamland.messaging.models import Communication
from dreamland.whatsapp import inbound
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import message_body, post_json

pytestmark = pytest.mark.django_db


def test_the_good_messages_are_stored_and_the_event_retries_the_bad_one(
    client: HttpClient, monkeypatch: Any
) -> None:
    real = message_store.leads_open_many

    def picky(*, first_texts: dict[int, Any]) -> Any:
        if Client.objects.filter(pk__in=first_texts, phone="+77015550000").exists():
            raise RuntimeError("lead service down for this client")
        return real(first_texts=first_texts)

    monkeypatch.setattr(message_store, "leads_open_many", picky)
    body = message_body({"id": "wamid.good", "type": "text", "text": {"body": "hi"}})
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"].append({"profile": {"name": "B"}, "wa_id": "77015550000"})
    value["messages"].append(
        {
            "from": "77015550000",
            "id": "wamid.bad",
            "timestamp": "1718000001",
            "type": "text",
            "text": {"body": "yo"},
        }
    )
    assert post_json(client, body).status_code == 200
    assert list(Communication.objects.values_list("whatsapp_message_id", flat=True)) == [
        "wamid.good"
    ]
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert event.notes == [
        {"failed_message": "wamid.bad", "error": "RuntimeError: lead service down for this client"}
    ]

    monkeypatch.setattr(message_store, "leads_open_many", real)
    inbound.event_run(event=event)
    event.refresh_from_db()
    assert (event.status, event.notes) == (EventStatus.PROCESSED, None)
    assert Communication.objects.count() == 2
