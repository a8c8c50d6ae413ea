"""The webhook's front door: handshake, signatures, sizes and malformed bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.messaging.models import Communication
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import URL, fixture, fixture_bytes, post_raw, sign
from dreamland.whatsapp.views import signature_valid

pytestmark = pytest.mark.django_db


def test_the_worked_signature_example_verifies() -> None:
    example = fixture("webhook_verification_and_signature.json")["signed_post"]
    raw = fixture_bytes(example["body_file"])
    header = example["body_sha256_hmac_header"]["X-Hub-Signature-256"]
    assert signature_valid(raw, header, example["app_secret"])
    assert not signature_valid(raw + b" ", header, example["app_secret"])
    assert not signature_valid(raw, header, "another_secret")


def test_the_worked_example_is_accepted_over_http(client: HttpClient) -> None:
    example = fixture("webhook_verification_and_signature.json")["signed_post"]
    raw = fixture_bytes(example["body_file"])
    response = post_raw(
        client, raw, signature=example["body_sha256_hmac_header"]["X-Hub-Signature-256"]
    )
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert bytes(event.raw_body) == raw
    assert event.status == EventStatus.PROCESSED


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_handshake_echoes_the_challenge_as_plain_text(client: HttpClient, url: str) -> None:
    query = fixture("webhook_verification_and_signature.json")["verification_get"]["query"]
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_handshake_with_a_wrong_token_or_mode_is_forbidden(
    client: HttpClient, query: dict[str, str]
) -> None:
    assert client.get(URL, query).status_code == 403


def test_an_empty_configured_token_never_matches(client: HttpClient, settings: Any) -> None:
    settings.WHATSAPP_VERIFY_TOKEN = ""
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get(URL, query).status_code == 403


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_post_works_with_and_without_the_trailing_slash(client: HttpClient, url: str) -> None:
    response = post_raw(client, fixture_bytes("kz_text_message.json"), url=url)
    assert response.status_code == 200
    assert Communication.objects.count() == 1


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(
    client: HttpClient, signature: str
) -> None:
    raw = fixture_bytes("kz_text_message.json")
    response = client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature} if signature else {},
    )
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0
    assert Communication.objects.count() == 0


def test_a_signature_made_with_another_secret_is_refused(client: HttpClient) -> None:
    raw = fixture_bytes("kz_text_message.json")
    response = post_raw(client, raw, signature=sign(raw, "not-the-secret"))
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_without_an_app_secret_every_post_is_refused(client: HttpClient, settings: Any) -> None:
    settings.WHATSAPP_APP_SECRET = ""
    raw = fixture_bytes("kz_text_message.json")
    response = post_raw(client, raw, signature=sign(raw, ""))
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_malformed_json_is_a_400_and_nothing_is_stored(client: HttpClient) -> None:
    response = post_raw(client, b'{"object": "whatsapp_business_account", ')
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_an_oversized_body_is_a_413_and_nothing_is_stored(
    client: HttpClient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    raw = json.dumps({"object": "whatsapp_business_account", "pad": "x" * 3_400_000}).encode()
    response = post_raw(client, raw)
    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_a_body_of_a_few_megabytes_is_accepted(client: HttpClient, settings: Any) -> None:
    # Meta's webhook bodies can be up to 3 MB (history syncs, many statuses): a 413 would make
    # Meta retry the delivery until it gives up, losing it.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    raw = json.dumps({"object": "whatsapp_business_account", "pad": "x" * 2_000_000}).encode()
    assert post_raw(client, raw).status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_a_body_over_djangos_upload_limit_is_a_413(client: HttpClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    raw = fixture_bytes("kz_text_message.json")
    assert post_raw(client, raw).status_code == 413
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize(
    "raw", [b"[]", b'{"object":"page"}', b'{"object":"whatsapp_business_account"}', b"42"]
)
def test_json_that_is_not_a_whatsapp_envelope_is_kept_but_ignored(
    client: HttpClient, raw: bytes
) -> None:
    response = post_raw(client, raw)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert Communication.objects.count() == 0


def test_other_methods_are_not_allowed(client: HttpClient) -> None:
    assert client.put(URL).status_code == 405


def test_absurdly_nested_json_is_kept_but_ignored_not_a_500(client: HttpClient) -> None:
    # Valid JSON, only too deep for Python: a 4xx would make Meta retry it forever.
    response = post_raw(client, b"[" * 200_000 + b"]" * 200_000)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.status, event.last_error) == (
        EventStatus.IGNORED,
        "JSON nested too deeply to process",
    )


def test_invalid_utf8_is_a_400(client: HttpClient) -> None:
    assert post_raw(client, b'{"object": "\xff"}').status_code == 400


def test_a_missing_app_secret_is_logged(client: HttpClient, settings: Any, caplog: Any) -> None:
    settings.WHATSAPP_APP_SECRET = ""
    post_raw(client, b"{}", signature="sha256=00")
    assert "WHATSAPP_APP_SECRET is not configured" in caplog.text
