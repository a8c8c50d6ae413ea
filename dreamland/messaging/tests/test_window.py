"""The 24-hour customer-service window runs from the client's last inbound WhatsApp message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dreamland.messaging.models import Communication, Direction
from dreamland.messaging.services import whatsapp_window_expires_at, whatsapp_window_open

pytestmark = pytest.mark.django_db


def _message(client: Any, direction: str, ago: timedelta) -> None:
    Communication.objects.create(
        client=client,
        communication_type="whatsapp",
        direction=direction,
        body="x",
        created_at=timezone.now() - ago,
    )


def test_no_inbound_message_means_the_window_is_closed(make_client: Any) -> None:
    client = make_client()
    assert whatsapp_window_expires_at(client) is None
    assert not whatsapp_window_open(client)


def test_the_window_is_open_for_24_hours_after_the_last_inbound(make_client: Any) -> None:
    client = make_client()
    _message(client, Direction.INBOUND, timedelta(hours=23, minutes=59))
    assert whatsapp_window_open(client)
    expires = whatsapp_window_expires_at(client)
    assert expires is not None
    assert not whatsapp_window_open(client, expires)
    assert whatsapp_window_open(client, expires - timedelta(seconds=1))


def test_our_own_messages_do_not_extend_the_window(make_client: Any) -> None:
    client = make_client()
    _message(client, Direction.INBOUND, timedelta(hours=25))
    _message(client, Direction.OUTBOUND, timedelta(minutes=1))
    assert not whatsapp_window_open(client)
