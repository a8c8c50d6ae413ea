"""Meta delivering the same message several times at once stores it once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication
from dreamland.whatsapp.models import WebhookEvent
from dreamland.whatsapp.tests.helpers import fixture_bytes, post_raw

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections and row locks")


@pytest.mark.parametrize("returning", [False, True])
def test_simultaneous_duplicates_are_stored_once_and_counted_once(returning: bool) -> None:
    if returning:
        Client.objects.create(name="Aigerim", phone="+77011234567")
    raw = fixture_bytes("kz_text_message.json")
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(post_raw(HttpClient(), raw).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert WebhookEvent.objects.count() == 6
    assert Communication.objects.count() == 1
    assert Client.objects.count() == 1
    lead = Lead.objects.get()
    assert lead.unread_messages_count == 1


def test_simultaneous_different_messages_of_a_new_client_share_one_client_and_lead() -> None:
    import json

    from dreamland.whatsapp.tests.helpers import message_body, post_json

    bodies = [
        message_body({"id": f"wamid.same{i}", "type": "text", "text": {"body": str(i)}})
        for i in range(6)
    ]
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def deliver(body: dict[str, object]) -> None:
        try:
            barrier.wait()
            statuses.append(post_json(HttpClient(), body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6, json.dumps(statuses)
    assert Client.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 6
    assert Communication.objects.count() == 6
