"""Conversations for the inbox tests: a client, their lead and messages, in a few lines."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus

_seq = itertools.count(1)


def conversation(
    make_client: Any,
    *,
    agent: Any = None,
    messages: int = 1,
    unread: int = 0,
    last_at: datetime | None = None,
    **client_fields: Any,
) -> tuple[Any, Lead]:
    """A client with one open lead and `messages` inbound WhatsApp messages, the last at
    `last_at` (default: a minute ago)."""
    client = make_client(**client_fields)
    last_at = last_at or timezone.now() - timedelta(minutes=1)
    lead = Lead.objects.create(
        client=client,
        assigned_agent=agent,
        unread_messages_count=unread,
        last_message_at=last_at,
        created_at=last_at - timedelta(minutes=messages + 1),
    )
    Communication.objects.bulk_create(
        [
            Communication(
                client=client,
                lead=lead,
                communication_type="whatsapp",
                direction=Direction.INBOUND,
                body=f"Message {i}",
                whatsapp_message_id=f"wamid.t{next(_seq)}",
                whatsapp_status=WhatsAppStatus.RECEIVED,
                message_type="text",
                created_at=last_at - timedelta(minutes=messages - 1 - i),
            )
            for i in range(messages)
        ]
    )
    return client, lead
