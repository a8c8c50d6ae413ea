"""WhatsApp Cloud API client: the one HTTP seam to Meta's Graph API (httpx, always with timeouts).

Graph errors become typed exceptions, so callers decide between a retry with backoff
(`RetryableError`) and giving up at once (`PermanentError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from dreamland.lib.errors import NotConfigured

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Rate limits and transient failures on Meta's side: try again later.
RETRYABLE_CODES = frozenset({4, 80007, 130429, 131000, 131016, 131048, 131056, 2, 1})


class WhatsAppError(Exception):
    """Meta refused or could not be reached; `code` is Meta's error code when it gave one."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        subcode: int | None = None,
        details: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.subcode = subcode
        self.details = details

    def __str__(self) -> str:
        text = f"({self.code}) {self.message}" if self.code is not None else self.message
        return f"{text}: {self.details}" if self.details else text


class RetryableError(WhatsAppError):
    """429, 5xx, a timeout or a rate-limit code: the same request may succeed later."""

    retryable = True


class PermanentError(WhatsAppError):
    """Bad token (190), outside the 24-hour window (131047), bad parameters, template errors…"""


def error_from_response(response: httpx.Response) -> WhatsAppError:
    """The typed error for a non-2xx Graph answer (`{"error": {message, code, …}}`)."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    status = response.status_code
    if not isinstance(error, dict):
        cls: type[WhatsAppError] = (
            RetryableError if status == 429 or status >= 500 else PermanentError
        )
        return cls(f"HTTP {status} from WhatsApp", http_status=status)
    code = error.get("code")
    code = code if isinstance(code, int) else None
    error_data = error.get("error_data")
    details = error_data.get("details", "") if isinstance(error_data, dict) else ""
    retryable = (code in RETRYABLE_CODES) or status == 429 or (status >= 500 and code is None)
    if status >= 500 and code not in PERMANENT_HINT:
        retryable = True
    cls = RetryableError if retryable else PermanentError
    return cls(
        str(error.get("message") or f"HTTP {status}"),
        code=code,
        http_status=status,
        subcode=error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None,
        details=str(details or ""),
    )


# Codes that stay permanent even when Meta wraps them in a 5xx.
PERMANENT_HINT = frozenset({100, 190, 368, 131008, 131009, 131026, 131030, 131031, 131047})


@dataclass(frozen=True)
class SendResult:
    wamid: str
    message_status: str | None
    raw: dict[str, Any]


class WhatsAppClient:
    """Sends messages from one business phone number; built from settings by `from_settings`."""

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        api_base: str,
        http: httpx.Client | None = None,
    ) -> None:
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.api_base = api_base.rstrip("/")
        self._http = http or httpx.Client(timeout=TIMEOUT)

    @classmethod
    def from_settings(cls) -> WhatsAppClient:
        if not whatsapp_configured():
            raise NotConfigured(
                "WhatsApp is not configured: set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID.",
                code="whatsapp_not_configured",
            )
        return cls(
            access_token=settings.WHATSAPP_ACCESS_TOKEN,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            api_base=settings.WHATSAPP_API_BASE,
        )

    def close(self) -> None:
        self._http.close()

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, headers=self._headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise RetryableError(f"WhatsApp timed out: {exc.__class__.__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableError(f"WhatsApp unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    # --- sending ---------------------------------------------------------------------------
    def send(self, payload: dict[str, Any]) -> SendResult:
        """POST a message body (without `messaging_product`, which is added) and return its wamid."""
        body = {"messaging_product": "whatsapp", **payload}
        response = self._request(
            "POST", f"{self.api_base}/{self.phone_number_id}/messages", json=body
        )
        try:
            data = response.json()
            message = data["messages"][0]
            wamid = str(message["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise PermanentError("WhatsApp answered 200 without a message id") from exc
        return SendResult(wamid=wamid, message_status=message.get("message_status"), raw=data)

    def send_text(
        self, *, to: str, body: str, reply_to: str | None = None, preview_url: bool = False
    ) -> SendResult:
        return self.send(text_payload(to=to, body=body, reply_to=reply_to, preview_url=preview_url))

    def send_media(
        self,
        *,
        to: str,
        kind: str,
        link: str | None = None,
        media_id: str | None = None,
        caption: str | None = None,
        filename: str | None = None,
    ) -> SendResult:
        return self.send(
            media_payload(
                to=to, kind=kind, link=link, media_id=media_id, caption=caption, filename=filename
            )
        )

    def send_template(
        self, *, to: str, name: str, language: str, components: list[dict[str, Any]] | None = None
    ) -> SendResult:
        return self.send(
            template_payload(to=to, name=name, language=language, components=components)
        )

    # --- media -------------------------------------------------------------------------------
    def media_info(self, media_id: str) -> dict[str, Any]:
        """`GET /{media_id}`: a short-lived download url, mime_type, sha256, file_size."""
        data = self._request("GET", f"{self.api_base}/{media_id}").json()
        if not isinstance(data, dict) or not data.get("url"):
            raise PermanentError("WhatsApp media lookup returned no url")
        return data

    def download(self, url: str) -> bytes:
        """The media bytes; the lookaside url needs the same Bearer header."""
        return self._request("GET", url).content


def whatsapp_configured() -> bool:
    return bool(settings.WHATSAPP_ACCESS_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID)


def text_payload(
    *, to: str, body: str, reply_to: str | None = None, preview_url: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": preview_url, "body": body},
    }
    if reply_to:
        payload["context"] = {"message_id": reply_to}
    return payload


def media_payload(
    *,
    to: str,
    kind: str,
    link: str | None = None,
    media_id: str | None = None,
    caption: str | None = None,
    filename: str | None = None,
) -> dict[str, Any]:
    if kind not in ("image", "document", "video", "audio", "sticker"):
        raise ValueError(f"Unknown media kind {kind!r}")
    if bool(link) == bool(media_id):
        raise ValueError("Give exactly one of link or media_id")
    media: dict[str, Any] = {"link": link} if link else {"id": media_id}
    if caption and kind in ("image", "document", "video"):
        media["caption"] = caption
    if filename and kind == "document":
        media["filename"] = filename
    return {"recipient_type": "individual", "to": to, "type": kind, kind: media}


def template_payload(
    *, to: str, name: str, language: str, components: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return {"recipient_type": "individual", "to": to, "type": "template", "template": template}
