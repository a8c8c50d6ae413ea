"""Outside the 24-hour window the 422 lists the templates that can still be sent, with ids."""

from __future__ import annotations

import json

from django.test import Client as HttpClient

from dreamland.api.services import api_token_create
from dreamland.messaging.models import WhatsAppTemplate


def test_window_closed_lists_the_templates_to_use(settings, manager, make_client):
    settings.WHATSAPP_ACCESS_TOKEN = "t"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1"
    hello = WhatsAppTemplate.objects.create(
        name="hello", content="Hi {{1}}", active=True, language="ru"
    )
    WhatsAppTemplate.objects.create(name="old", content="Bye", active=False, language="ru")
    client = make_client()
    r = HttpClient().post(
        f"/api/v1/clients/{client.pk}/messages",
        json.dumps({"body": "hi"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_create(user=manager)[1]}"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "window_closed"
    assert r.json()["templates"] == [{"id": hello.pk, "name": "hello", "language": "ru"}]
