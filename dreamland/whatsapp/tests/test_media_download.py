"""Inbound media is downloaded in the background into the default storage."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest
import respx
from django.core.files.storage import default_storage
from django.test import Client as HttpClient

from dreamland.messaging.models import Communication
from dreamland.whatsapp.tests.helpers import fixture, message_body, post_json

pytestmark = pytest.mark.django_db
API = "https://graph.test/v23.0"
CONTENT = b"\xff\xd8\xff fake jpeg bytes"
LOOKASIDE = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"


@pytest.fixture
def configured(settings: Any, tmp_path: Any) -> Any:
    settings.WHATSAPP_ACCESS_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.MEDIA_ROOT = str(tmp_path)
    return settings


def _image(sha256: str) -> dict[str, Any]:
    return message_body(
        {
            "id": "wamid.img",
            "type": "image",
            "image": {"mime_type": "image/jpeg", "sha256": sha256, "id": "2621233374848975"},
        }
    )


def _media_info(sha256_hex: str) -> dict[str, Any]:
    info = fixture("media_url_response.json")
    info.update(url=LOOKASIDE, sha256=sha256_hex)
    return info


@respx.mock
def test_media_is_fetched_with_the_bearer_token_and_saved(
    client: HttpClient, configured: Any, django_capture_on_commit_callbacks: Any
) -> None:
    digest = hashlib.sha256(CONTENT)
    info = respx.get(f"{API}/2621233374848975").mock(
        return_value=httpx.Response(200, json=_media_info(digest.hexdigest()))
    )
    download = respx.get(LOOKASIDE).mock(return_value=httpx.Response(200, content=CONTENT))
    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, _image(base64.b64encode(digest.digest()).decode()))
    assert info.calls.last.request.headers["Authorization"] == "Bearer test-token"
    assert download.calls.last.request.headers["Authorization"] == "Bearer test-token"
    comm = Communication.objects.get()
    assert comm.media_url is not None and "whatsapp/" in comm.media_url
    assert comm.media_url.endswith(".jpg")
    assert comm.media_type == "image/jpeg"
    name = comm.media_url.removeprefix("/media/")
    assert default_storage.open(name).read() == CONTENT


@respx.mock
def test_a_checksum_mismatch_is_retried_then_given_up(
    client: HttpClient, configured: Any, django_capture_on_commit_callbacks: Any
) -> None:
    respx.get(f"{API}/2621233374848975").mock(
        return_value=httpx.Response(200, json=_media_info("00" * 32))
    )
    download = respx.get(LOOKASIDE).mock(return_value=httpx.Response(200, content=CONTENT))
    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, _image("AAAA"))
    assert download.call_count == 5
    comm = Communication.objects.get()
    assert comm.media_url is None and comm.media_id == "2621233374848975"


@respx.mock
def test_a_transient_failure_is_retried(
    client: HttpClient, configured: Any, django_capture_on_commit_callbacks: Any
) -> None:
    respx.get(f"{API}/2621233374848975").mock(
        side_effect=[
            httpx.Response(500),
            httpx.Response(200, json=_media_info(hashlib.sha256(CONTENT).hexdigest())),
        ]
    )
    respx.get(LOOKASIDE).mock(return_value=httpx.Response(200, content=CONTENT))
    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, _image("x"))
    assert Communication.objects.get().media_url is not None


def test_without_credentials_the_media_id_is_kept(client: HttpClient) -> None:
    with respx.mock(assert_all_called=False) as mock:
        post_json(client, _image("x"))
        assert mock.calls.call_count == 0
    comm = Communication.objects.get()
    assert (comm.media_id, comm.media_url) == ("2621233374848975", None)
