"""`GET|POST /webhooks/whatsapp`: Meta's verification handshake and signed deliveries (SPEC §3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dreamland.whatsapp.inbound import event_receive

logger = logging.getLogger(__name__)

# Meta's webhook bodies can be up to 3 MB (history syncs, batches of statuses); a 413 makes Meta
# retry until it gives up, so the limit sits just above that. DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB
# by default) still caps it: deployments should set it to at least 3 MiB.
MAX_BODY_BYTES = 3 * 1024 * 1024 + 64 * 1024
SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"


def body_limit() -> int:
    return min(MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_BODY_BYTES)


def signature_valid(raw_body: bytes, header: str, secret: str) -> bool:
    """HMAC-SHA256 of the raw bytes keyed with the App Secret, compared in constant time."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def _verify(request: HttpRequest) -> HttpResponse:
    token = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        token
        and request.GET.get("hub.mode") == "subscribe"
        and hmac.compare_digest(given.encode(), token.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


def _receive(request: HttpRequest) -> HttpResponse:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret:
        logger.error("WhatsApp webhook refused: WHATSAPP_APP_SECRET is not configured")
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    limit = body_limit()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    try:
        raw = request.body
    except RequestDataTooBig:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    if len(raw) > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    header = request.META.get(SIGNATURE_HEADER, "")
    if not signature_valid(raw, header, secret):
        logger.warning("WhatsApp webhook with a %s signature", "bad" if header else "missing")
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    try:
        json.loads(raw)
    except RecursionError:
        pass  # valid JSON too deep for Python: stored (and marked ignored), never refused
    except ValueError:  # UnicodeDecodeError is a ValueError
        return HttpResponse("Malformed JSON", status=400, content_type="text/plain")
    # Stored (committed) before the 200, processed by a worker (inbound.event_receive): a
    # processing failure is recorded on the event and retried, the event itself is safe.
    event_receive(raw_body=raw, signature=header)
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    if request.method == "POST":
        return _receive(request)
    response = HttpResponse(status=405)
    response["Allow"] = "GET, POST"
    return response
