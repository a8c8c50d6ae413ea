"""Signing and posting webhook bodies as Meta does, from the recorded fixtures."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient

APP_SECRET = "kz_test_app_secret"
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "whatsapp"
URL = "/webhooks/whatsapp"


def fixture_bytes(name: str) -> bytes:
    """The fixture's exact bytes (the shared copy when it is there, else ours: identical)."""
    shared = SHARED / name
    return shared.read_bytes() if shared.exists() else (FIXTURES / name).read_bytes()


def fixture(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_raw(http: HttpClient, raw: bytes, *, signature: str | None = None, url: str = URL) -> Any:
    headers = {"X-Hub-Signature-256": signature if signature is not None else sign(raw)}
    return http.post(url, data=raw, content_type="application/json", headers=headers)


def post_json(http: HttpClient, payload: Any, **kwargs: Any) -> Any:
    # Meta escapes non-ASCII as \uXXXX; ensure_ascii=True does the same.
    return post_raw(http, json.dumps(payload).encode(), **kwargs)


def message_body(
    message: dict[str, Any],
    *,
    wa_id: str | None = "77011234567",
    name: str = "Айгерим Сапарова",
    user_id: str | None = None,
) -> dict[str, Any]:
    """A one-message envelope around `message` (which gets `from`/`id`/`timestamp` defaults)."""
    message = copy.deepcopy(message)
    if wa_id is not None:
        message.setdefault("from", wa_id)
    message.setdefault("timestamp", "1718000000")
    contact: dict[str, Any] = {"profile": {"name": name}}
    if wa_id is not None:
        contact["wa_id"] = wa_id
    if user_id is not None:
        contact["user_id"] = user_id
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "77273334455",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def status_body(
    wamid: str, status: str, timestamp: str = "1718000100", **extra: Any
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "77273334455",
                                "phone_number_id": "106540352242922",
                            },
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": timestamp,
                                    "recipient_id": "77011234567",
                                    **extra,
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
