"""Webhook bodies shaped and signed as Meta sends them, for the tests and the benchmarks.

Plain functions with no Django settings, so `bench/` can build its load from them too.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

BUSINESS_ACCOUNT_ID = "102290129340398"
METADATA = {"display_phone_number": "77273334455", "phone_number_id": "106540352242922"}


def sign(raw: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header Meta sends with `raw`."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    """One `messages` change of one entry around `value` (contacts, messages or statuses)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": BUSINESS_ACCOUNT_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": dict(METADATA),
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def message_body(
    message: dict[str, Any],
    *,
    wa_id: str | None = "77011234567",
    name: str = "Айгерим Сапарова",
    user_id: str | None = None,
) -> dict[str, Any]:
    """A one-message envelope around `message` (which gets `from`/`timestamp` defaults)."""
    message = copy.deepcopy(message)
    if wa_id is not None:
        message.setdefault("from", wa_id)
    message.setdefault("timestamp", "1718000000")
    contact: dict[str, Any] = {"profile": {"name": name}}
    if wa_id is not None:
        contact["wa_id"] = wa_id
    if user_id is not None:
        contact["user_id"] = user_id
    return envelope({"contacts": [contact], "messages": [message]})


def status_body(
    wamid: str, status: str, timestamp: str = "1718000100", **extra: Any
) -> dict[str, Any]:
    """A one-status envelope: Meta's report on a message we sent."""
    item = {
        "id": wamid,
        "status": status,
        "timestamp": timestamp,
        "recipient_id": "77011234567",
        **extra,
    }
    return envelope({"statuses": [item]})
