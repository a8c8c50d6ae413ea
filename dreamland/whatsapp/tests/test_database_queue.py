"""`make run`'s shape: the database task queue and `manage.py db_worker` (SQLite by default).

The webhook stores the delivery and queues the processing; the worker applies it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import fixture_bytes, post_raw

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


def test_the_database_worker_applies_what_the_webhook_stored(
    client: HttpClient, database_queue: None
) -> None:
    assert post_raw(client, fixture_bytes("kz_text_message.json")).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.RECEIVED
    assert not Communication.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)

    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1
