"""With a backend that can defer (the database worker), retries are scheduled with backoff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from django.tasks import default_task_backend
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.messaging import inbound as message_store
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tasks import webhook_events_process, whatsapp_send
from dreamland.whatsapp.tests.helpers import fixture, fixture_bytes, post_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferring(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    assert default_task_backend.supports_defer
    return default_task_backend


def test_a_failed_event_is_retried_later(
    client: HttpClient, monkeypatch: Any, deferring: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(message_store, "leads_open_many", boom)
    assert post_raw(client, fixture_bytes("kz_text_message.json")).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.RECEIVED  # stored; a worker processes it
    [processing] = deferring.results
    assert processing.task.name == "webhook_events_process"
    deferring.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_events_process.call() == 1
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    [queued] = deferring.results
    assert queued.task.name == "webhook_event_retry"
    assert queued.kwargs == {"event_id": event.pk}
    assert queued.task.run_after > timezone.now()


@respx.mock
def test_a_rate_limited_send_is_re_enqueued_with_a_delay(
    make_client: Any, deferring: Any, settings: Any
) -> None:
    settings.WHATSAPP_ACCESS_TOKEN = "tok"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1"
    respx.post("https://graph.test/v23.0/1/messages").mock(
        return_value=httpx.Response(429, json=fixture("error_130429_rate_limit.json"))
    )
    comm = Communication.objects.create(
        client=make_client(),
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        body="x",
        whatsapp_status=WhatsAppStatus.PENDING,
        metadata={"request": {"to": "1", "type": "text", "text": {"body": "x"}}},
    )
    assert whatsapp_send.call(communication_id=comm.pk) == "retrying"
    [queued] = deferring.results
    assert queued.kwargs == {"communication_id": comm.pk, "attempt": 2}
    assert queued.task.run_after > timezone.now()
    comm.refresh_from_db()
    assert comm.whatsapp_status == WhatsAppStatus.PENDING
    assert comm.error_code == 130429
