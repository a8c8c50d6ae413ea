"""Outbound sends against a fake Graph API answering with Meta's real bodies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from django.core.exceptions import ValidationError
from django.utils import timezone

from dreamland.lib.errors import NotConfigured
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.messaging.services import WindowClosed, template_create
from dreamland.whatsapp.outbound import message_send_template, message_send_text
from dreamland.whatsapp.tests.helpers import fixture

pytestmark = pytest.mark.django_db
API = "https://graph.test/v23.0"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture(autouse=True)
def whatsapp_settings(settings: Any) -> Any:
    """Configured for sending (the app's conftest leaves sending unconfigured)."""
    settings.WHATSAPP_APP_SECRET = "kz_test_app_secret"
    settings.WHATSAPP_ACCESS_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_API_BASE = API
    return settings


SEND_URL = f"{API}/{PHONE_NUMBER_ID}/messages"
WAMID = fixture("send_response.json")["messages"][0]["id"]


@pytest.fixture
def customer(make_client: Any) -> Any:
    customer = make_client(phone="+77011234567", preferred_language="ru")
    Communication.objects.create(
        client=customer,
        communication_type="whatsapp",
        direction=Direction.INBOUND,
        body="Здравствуйте",
        whatsapp_message_id="wamid.in1",
        whatsapp_status=WhatsAppStatus.RECEIVED,
        created_at=timezone.now() - timedelta(hours=2),
    )
    return customer


def _send(customer: Any, agent: Any, capture: Any, **kwargs: Any) -> Communication:
    with capture(execute=True):
        comm = message_send_text(client=customer, body="Да, туры есть.", sent_by=agent, **kwargs)
    comm.refresh_from_db()
    return comm


@respx.mock
def test_a_text_is_sent_and_stored_with_the_returned_wamid(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert comm.whatsapp_status == WhatsAppStatus.SENT
    assert comm.whatsapp_message_id == WAMID
    assert comm.direction == Direction.OUTBOUND and comm.sent_by == agent
    assert comm.sent_at is not None
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer test-token"
    sent = json.loads(request.content)
    expected = fixture("send_text_request.json")
    expected["text"]["body"] = "Да, туры есть."
    assert sent == expected


@respx.mock
def test_a_reply_carries_the_quoted_wamid(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    quoted = Communication.objects.get(whatsapp_message_id="wamid.in1")
    comm = _send(customer, agent, django_capture_on_commit_callbacks, reply_to=quoted)
    assert json.loads(route.calls.last.request.content)["context"] == {"message_id": "wamid.in1"}
    assert comm.reply_to_message_id == "wamid.in1"


@respx.mock
def test_a_429_is_retried_and_then_succeeds(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        side_effect=[
            httpx.Response(429, json=fixture("error_130429_rate_limit.json")),
            httpx.Response(200, json=fixture("send_response.json")),
        ]
    )
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert route.call_count == 2
    assert comm.whatsapp_status == WhatsAppStatus.SENT
    assert comm.whatsapp_message_id == WAMID
    assert comm.error_code is None


@respx.mock
def test_server_errors_and_timeouts_are_retried_a_bounded_number_of_times(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        side_effect=[httpx.ConnectTimeout("slow"), *[httpx.Response(503) for _ in range(10)]]
    )
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert route.call_count == 5
    assert comm.whatsapp_status == WhatsAppStatus.FAILED
    assert "gave up after 5 attempts" in (comm.error_message or "")


@respx.mock
def test_an_expired_token_is_not_retried_and_the_agent_sees_why(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(401, json=fixture("error_190_token_expired.json"))
    )
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert route.call_count == 1
    assert comm.whatsapp_status == WhatsAppStatus.FAILED
    assert comm.error_code == 190
    assert "Error validating access token" in (comm.error_message or "")
    assert comm.failed_at is not None


@respx.mock
def test_a_synchronous_131047_is_permanent(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(400, json=fixture("error_131047.json"))
    )
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert route.call_count == 1
    assert (comm.whatsapp_status, comm.error_code) == (WhatsAppStatus.FAILED, 131047)
    assert "24 hours" in (comm.error_message or "")


@respx.mock
def test_a_131047_arriving_later_as_a_failed_status_marks_the_message(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    from dreamland.whatsapp.tests.helpers import post_json, status_body

    respx.post(SEND_URL).mock(return_value=httpx.Response(200, json=fixture("send_response.json")))
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    errors = [{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "24h"}}]
    post_json(client, status_body(WAMID, "failed", errors=errors))
    comm.refresh_from_db()
    assert (comm.whatsapp_status, comm.error_code) == (WhatsAppStatus.FAILED, 131047)


def test_free_text_outside_the_window_is_refused_and_offers_templates(
    make_client: Any, agent: Any
) -> None:
    stranger = make_client()
    template_create(
        name="payment_reminder", content="Оплата {{1}}", variables=["amount"], category="utility"
    )
    with pytest.raises(WindowClosed) as refused:
        message_send_text(client=stranger, body="Привет", sent_by=agent)
    assert refused.value.code == "window_closed"
    assert "only allows a template" in refused.value.message
    assert refused.value.templates == ["payment_reminder"]
    assert Communication.objects.count() == 0


def test_without_credentials_sending_says_so_and_stores_nothing(
    customer: Any, agent: Any, settings: Any
) -> None:
    settings.WHATSAPP_ACCESS_TOKEN = ""
    with pytest.raises(NotConfigured, match="not configured"):
        message_send_text(client=customer, body="Привет", sent_by=agent)
    assert not Communication.objects.filter(direction=Direction.OUTBOUND).exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 4097])
def test_an_empty_or_too_long_text_is_refused(customer: Any, agent: Any, body: str) -> None:
    with pytest.raises(ValidationError):
        message_send_text(client=customer, body=body, sent_by=agent)


@respx.mock
def test_a_template_is_sent_in_the_clients_language_with_its_values(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any, make_client: Any
) -> None:
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    template_create(
        name="payment_reminder",
        language="en",
        content="Hello {{1}}, pay by {{2}}.",
        variables=["customer_name", "due_date"],
    )
    ru = template_create(
        name="payment_reminder",
        language="ru",
        content="Здравствуйте, {{1}}! Оплата до {{2}}.",
        variables=["customer_name", "due_date"],
    )
    stranger = make_client(
        phone="+77017778899", preferred_language="ru"
    )  # no inbound: window closed
    with django_capture_on_commit_callbacks(execute=True):
        comm = message_send_template(
            client=stranger,
            template="payment_reminder",
            variables={"customer_name": "Айгерим", "due_date": "01.07.2026"},
            sent_by=agent,
        )
    comm.refresh_from_db()
    assert comm.body == "Здравствуйте, Айгерим! Оплата до 01.07.2026."
    assert comm.template == ru
    assert comm.whatsapp_status == WhatsAppStatus.SENT
    sent = json.loads(route.calls.last.request.content)
    assert sent["type"] == "template"
    assert sent["to"] == "77017778899"
    assert sent["template"]["name"] == "payment_reminder"
    assert sent["template"]["language"] == {"code": "ru"}
    assert sent["template"]["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Айгерим"},
                {"type": "text", "text": "01.07.2026"},
            ],
        }
    ]


@respx.mock
def test_a_status_that_overtook_the_send_answer_is_applied_afterwards(
    customer: Any, agent: Any, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    from dreamland.whatsapp.models import WebhookEvent
    from dreamland.whatsapp.tests.helpers import post_json, status_body

    post_json(client, status_body(WAMID, "delivered", "1718000100"))
    assert WebhookEvent.objects.get().notes == [{"unknown_status": WAMID, "status": "delivered"}]
    respx.post(SEND_URL).mock(return_value=httpx.Response(200, json=fixture("send_response.json")))
    comm = _send(customer, agent, django_capture_on_commit_callbacks)
    assert comm.whatsapp_status == WhatsAppStatus.DELIVERED
    assert comm.delivered_at is not None
    assert WebhookEvent.objects.get().notes is None


def test_a_template_send_refuses_a_missing_value_and_stores_nothing(
    customer: Any, agent: Any
) -> None:
    template_create(
        name="payment_reminder", content="Оплата {{1}} до {{2}}", variables=["amount", "due"]
    )
    with pytest.raises(ValidationError, match="due"):
        message_send_template(
            client=customer, template="payment_reminder", variables=["1000"], sent_by=agent
        )
    assert not Communication.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_template_send_without_credentials_is_not_configured(
    customer: Any, agent: Any, settings: Any
) -> None:
    settings.WHATSAPP_PHONE_NUMBER_ID = ""
    with pytest.raises(NotConfigured):
        message_send_template(client=customer, template="anything", variables=[], sent_by=agent)


def test_a_lead_of_another_client_is_refused(customer: Any, agent: Any, make_client: Any) -> None:
    from dreamland.leads.models import Lead

    other_lead = Lead.objects.create(client=make_client())
    with pytest.raises(ValidationError):
        message_send_text(client=customer, body="x", sent_by=agent, lead=other_lead)
