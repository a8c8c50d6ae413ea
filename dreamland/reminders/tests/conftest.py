"""Reminder fixtures: WhatsApp configured for sending, reminder templates, timed messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from dreamland.leads.models import Lead
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    WhatsAppStatus,
    WhatsAppTemplate,
)
from dreamland.messaging.services import template_create
from dreamland.reminders.models import ReminderKind, ReminderSetting

API = "https://graph.test/v23.0"
PHONE_NUMBER_ID = "106540352242922"
SEND_URL = f"{API}/{PHONE_NUMBER_ID}/messages"


@pytest.fixture(autouse=True)
def whatsapp_settings(settings: Any) -> Any:
    settings.WHATSAPP_APP_SECRET = "kz_test_app_secret"
    settings.WHATSAPP_ACCESS_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_API_BASE = API
    return settings


@pytest.fixture
def payment_template(db: None) -> WhatsAppTemplate:
    return template_create(
        name="payment_reminder",
        content="Здравствуйте, {{1}}! До тура {{2}} ({{3}}) осталось оплатить {{4}}.",
        variables=["customer_name", "tour", "departure_date", "balance_due"],
    )


@pytest.fixture
def trip_template(db: None) -> WhatsAppTemplate:
    return template_create(
        name="trip_reminder",
        content="{{1}}, ваш тур {{2}} уже {{3}}! Ждём вас.",
        variables=["customer_name", "tour", "departure_date"],
    )


@pytest.fixture
def turn_on(db: None) -> Callable[..., ReminderSetting]:
    """`turn_on(kind, offset, template=…, **columns)`: store a kind's setting as an admin would."""

    def make(kind: str, offset: int, **fields: Any) -> ReminderSetting:
        row, _ = ReminderSetting.objects.update_or_create(
            kind=kind, defaults={"enabled": True, "offset": offset, **fields}
        )
        return row

    return make


@pytest.fixture
def message_at(db: None) -> Callable[..., Communication]:
    """`message_at(lead, at, direction="inbound")`: a message at a given moment; an inbound one
    moves the lead's `last_message_at` as the ingest path does."""

    def make(lead: Lead, at: datetime, direction: str = Direction.INBOUND) -> Communication:
        comm = Communication.objects.create(
            client_id=lead.client_id,
            lead=lead,
            communication_type=CommunicationType.WHATSAPP,
            direction=direction,
            body="Здравствуйте" if direction == Direction.INBOUND else "Добрый день!",
            whatsapp_status=(
                WhatsAppStatus.RECEIVED if direction == Direction.INBOUND else WhatsAppStatus.SENT
            ),
            created_at=at,
        )
        if direction == Direction.INBOUND:
            Lead.objects.filter(pk=lead.pk).update(last_message_at=at)
            lead.last_message_at = at
        return comm

    return make


__all__ = ["ReminderKind"]
