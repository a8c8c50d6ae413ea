"""Admins see unmatched webhook events in the Django admin, with the message that needs a client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import message_body, post_json, post_raw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_static(settings: Any) -> None:
    # The admin's pages name static files; tests have no collected manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_an_admin_finds_the_unmatched_event_and_its_bsuid(
    client: HttpClient, admin_user: Any
) -> None:
    body = message_body(
        {"id": "wamid.bs", "from_user_id": "US.42", "type": "text", "text": {"body": "hi"}},
        wa_id=None,
        user_id="US.42",
    )
    post_json(client, body)
    event = WebhookEvent.objects.get(status=EventStatus.UNMATCHED)
    client.force_login(admin_user)
    listing = client.get("/admin/whatsapp/webhookevent/?status__exact=unmatched")
    assert listing.status_code == 200
    assert f"/admin/whatsapp/webhookevent/{event.pk}/" in listing.content.decode()
    detail = client.get(f"/admin/whatsapp/webhookevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert "US.42" in detail.content.decode()


def test_an_agent_cannot_open_webhook_events(client: HttpClient, agent: Any) -> None:
    client.force_login(agent)
    response = client.get("/admin/whatsapp/webhookevent/")
    assert response.status_code in (302, 403)


def test_an_event_too_deep_to_parse_still_opens_in_the_admin(
    client: HttpClient, admin_user: Any
) -> None:
    post_raw(client, b"[" * 100_000 + b"]" * 100_000)
    event = WebhookEvent.objects.get(status=EventStatus.IGNORED)
    client.force_login(admin_user)
    detail = client.get(f"/admin/whatsapp/webhookevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert "[[[[" in detail.content.decode()
