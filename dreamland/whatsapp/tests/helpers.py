"""Signing and posting webhook bodies as Meta does, from the recorded fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient

from dreamland.whatsapp import testing
from dreamland.whatsapp.testing import message_body, status_body

__all__ = ["message_body", "status_body"]

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
    return testing.sign(raw, secret)


def post_raw(http: HttpClient, raw: bytes, *, signature: str | None = None, url: str = URL) -> Any:
    headers = {"X-Hub-Signature-256": signature if signature is not None else sign(raw)}
    return http.post(url, data=raw, content_type="application/json", headers=headers)


def post_json(http: HttpClient, payload: Any, **kwargs: Any) -> Any:
    # Meta escapes non-ASCII as \uXXXX; ensure_ascii=True does the same.
    return post_raw(http, json.dumps(payload).encode(), **kwargs)
