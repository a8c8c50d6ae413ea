"""The Graph API client: request bodies and the sorting of Meta's errors."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from dreamland.whatsapp.client import (
    PermanentError,
    RetryableError,
    WhatsAppClient,
    error_from_response,
)
from dreamland.whatsapp.tests.helpers import fixture

API = "https://graph.test/v23.0"
URL = f"{API}/106540352242922/messages"


@pytest.fixture
def wa() -> WhatsAppClient:
    return WhatsAppClient(access_token="tok", phone_number_id="106540352242922", api_base=API)


@respx.mock
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"kind": "image", "link": "https://example.com/a.jpg", "caption": "Kolsai"},
            {"type": "image", "image": {"link": "https://example.com/a.jpg", "caption": "Kolsai"}},
        ),
        (
            {"kind": "document", "media_id": "42", "caption": "Invoice", "filename": "a.pdf"},
            {
                "type": "document",
                "document": {"id": "42", "caption": "Invoice", "filename": "a.pdf"},
            },
        ),
    ],
)
def test_media_is_sent_by_link_or_id(
    wa: WhatsAppClient, kwargs: dict[str, str], expected: dict[str, object]
) -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    result = wa.send_media(to="77011234567", **kwargs)
    assert result.wamid.startswith("wamid.")
    sent = json.loads(route.calls.last.request.content)
    assert sent["messaging_product"] == "whatsapp"
    assert sent["to"] == "77011234567"
    assert {k: sent[k] for k in expected} == expected


def test_media_needs_exactly_one_of_link_or_id(wa: WhatsAppClient) -> None:
    with pytest.raises(ValueError):
        wa.send_media(to="1", kind="image")
    with pytest.raises(ValueError):
        wa.send_media(to="1", kind="image", link="https://x", media_id="1")


@respx.mock
def test_a_reply_and_a_template_have_metas_shape(wa: WhatsAppClient) -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    wa.send_text(to="77011234567", body="Да", reply_to="wamid.q")
    assert json.loads(route.calls.last.request.content)["context"] == {"message_id": "wamid.q"}
    named = fixture("send_template_named_request.json")
    wa.send_template(
        to="77011234567",
        name="payment_reminder",
        language="ru",
        components=named["template"]["components"],
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent["template"] == named["template"]


def _error(status: int, name: str | None = None, code: int | None = None) -> Exception:
    if name:
        body = fixture(name)
    elif code is not None:
        body = {"error": {"message": "x", "type": "OAuthException", "code": code}}
    else:
        body = None
    response = httpx.Response(status, json=body) if body is not None else httpx.Response(status)
    return error_from_response(response)


@pytest.mark.parametrize(
    ("status", "name", "code"),
    [
        (429, "error_130429_rate_limit.json", None),
        (400, None, 131056),
        (400, None, 131048),
        (400, None, 80007),
        (400, None, 4),
        (503, None, 131016),
        (500, None, 131000),
        (502, None, None),
    ],
)
def test_rate_limits_and_outages_are_retryable(
    status: int, name: str | None, code: int | None
) -> None:
    assert isinstance(_error(status, name, code), RetryableError)


@pytest.mark.parametrize(
    ("status", "name", "code"),
    [
        (401, "error_190_token_expired.json", None),
        (400, "error_131047.json", None),
        (400, None, 131026),
        (400, None, 100),
        (400, None, 132001),
        (400, None, 131008),
        (400, None, 131009),
        (400, None, 131030),
        (400, None, 368),
        (404, None, None),
    ],
)
def test_the_rest_is_permanent(status: int, name: str | None, code: int | None) -> None:
    error = _error(status, name, code)
    assert isinstance(error, PermanentError)


def test_a_parsed_error_keeps_code_subcode_and_details() -> None:
    error = _error(401, "error_190_token_expired.json")
    assert (error.code, error.subcode, error.http_status) == (190, 463, 401)  # type: ignore[attr-defined]


@respx.mock
def test_a_timeout_is_retryable(wa: WhatsAppClient) -> None:
    respx.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(RetryableError):
        wa.send_text(to="1", body="x")
