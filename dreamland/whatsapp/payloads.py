"""Meta's webhook payloads read into typed messages: pure parsing, no database (SPEC §3).

Anything Meta may send is read without raising: unknown message types become a readable
placeholder, garbage timestamps become now, over-long ids are shortened with a hash, and the
strings are made safe for PostgreSQL. `NotAnEnvelope` is the one error (not a WhatsApp webhook).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from dreamland.messaging.inbound import InboundMessage

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
MEDIA_LABELS = {
    "image": "[Image]",
    "video": "[Video]",
    "audio": "[Audio]",
    "document": "[Document]",
    "sticker": "[Sticker]",
}
# Forward-only ranking of delivery states; `failed` is handled apart.

# Change fields we turn into CRM rows; any other (template status, account, quality, echoes,
# history…) is acknowledged, noted on the event and left alone.
MESSAGE_FIELDS = ("messages", "")
# Longest id our varchar(255) columns take; longer ids are shortened with a hash of the whole.
MAX_ID = 255
# Meta's clock and ours may differ a little; a timestamp further ahead is not believed.
FUTURE_SLACK = timedelta(hours=1)
# …nor a message from before WhatsApp existed (0 or negative would sort it first in the inbox).
EARLIEST = datetime(2009, 1, 1, tzinfo=UTC)


class NotAnEnvelope(ValueError):
    """Valid JSON that is not a WhatsApp Business Account webhook."""


# --- parsing ----------------------------------------------------------------------------------
def clean(value: Any) -> Any:
    """The payload with every string safe for PostgreSQL: NUL removed, lone surrogates replaced.

    PostgreSQL rejects NUL in text and jsonb and psycopg cannot encode a lone surrogate (valid
    JSON escapes both); either would fail the whole event.
    """
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None  # Python reads NaN/Infinity; neither jsonb nor SQLite's JSON check accepts it
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    return value


# What `clean` has to mend can only come from these in the raw bytes: a NUL or a lone surrogate
# is written as a \\u escape (JSON allows no raw control character in a string, and the bytes
# must be UTF-8), NaN and Infinity as the bare words. A body without any of them (nearly all) is
# clean as parsed, and the walk over it is skipped.
_NEEDS_CLEANING = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|NaN|Infinity")


def load_payload(raw: bytes) -> Any:
    """The cleaned JSON of a stored body; NotAnEnvelope when it cannot be read at all."""
    try:
        payload = json.loads(raw)
        return clean(payload) if _NEEDS_CLEANING.search(raw) else payload
    except RecursionError:
        raise NotAnEnvelope("JSON nested too deeply to process") from None
    except ValueError:
        raise NotAnEnvelope("not JSON") from None


def short_id(value: str) -> str:
    """An id that fits varchar(255): itself, or a prefix plus a hash of the whole (still unique)."""
    if len(value) <= MAX_ID:
        return value
    return value[:190] + "~" + hashlib.sha256(value.encode()).hexdigest()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def iter_changes(payload: Any) -> list[tuple[str, Any]]:
    """(field, value) of every `entry[].changes[]`; anything not an envelope is NotAnEnvelope."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise NotAnEnvelope("not a whatsapp_business_account webhook")
    entries = payload.get("entry")
    if isinstance(entries, dict):  # one entry not wrapped in a list: still read it
        entries = [entries]
    if not isinstance(entries, list):
        raise NotAnEnvelope("no entry list")
    changes = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        raw_changes = entry.get("changes")
        for change in [raw_changes] if isinstance(raw_changes, dict) else as_list(raw_changes):
            if isinstance(change, dict):
                field_name = change.get("field")
                changes.append(
                    (field_name if isinstance(field_name, str) else "", change.get("value"))
                )
    return changes


def iter_values(payload: Any) -> list[dict[str, Any]]:
    """Every `value` of a `messages` change (the ones holding messages and statuses)."""
    return [
        value
        for field_name, value in iter_changes(payload)
        if field_name in MESSAGE_FIELDS and isinstance(value, dict)
    ]


def parse_timestamp(raw: Any, *, earliest: datetime | None = None) -> datetime:
    """Meta's epoch seconds (a string); missing, garbage, far in the future or before
    `earliest`: now."""
    now = timezone.now()
    try:
        seconds = (
            float(raw)
            if isinstance(raw, (int, float, str)) and not isinstance(raw, bool)
            else math.nan
        )
        if not math.isfinite(seconds):
            return now
        at = datetime.fromtimestamp(int(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    if at > now + FUTURE_SLACK or (earliest is not None and at < earliest):
        return now
    return at


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


KNOWN_PARTS = (
    "text",
    *MEDIA_TYPES,
    "location",
    "contacts",
    "reaction",
    "interactive",
    "button",
    "order",
    "system",
)


def message_kind(message: dict[str, Any]) -> str:
    """`type`, or when it is missing the one known part the message carries, else `unknown`."""
    kind = as_text(message.get("type"))
    if kind:
        return kind
    parts = [part for part in KNOWN_PARTS if isinstance(message.get(part), (dict, list))]
    return parts[0] if len(parts) == 1 else "unknown"


def summarise(message: dict[str, Any]) -> tuple[str, dict[str, Any], str | None, str | None]:
    """(body, type-specific metadata, media_id, mime type) for any message type Meta sends."""
    kind = message_kind(message)
    part = as_dict(message.get(kind))
    metadata: dict[str, Any] = {}
    media_id = mime = None
    if kind == "text":
        body = as_text(part.get("body"))
    elif kind in MEDIA_TYPES:
        media_id = str(part["id"]) if part.get("id") is not None else None
        mime = as_text(part.get("mime_type")) or None
        metadata = {
            key: part[key]
            for key in ("sha256", "filename", "voice", "animated", "url", "caption")
            if key in part
        }
        label = MEDIA_LABELS[kind]
        if kind == "audio" and part.get("voice"):
            label = "[Voice message]"
        if kind == "document" and part.get("filename"):
            label = f"[Document: {part['filename']}]"
        body = as_text(part.get("caption")) or label
    elif kind == "location":
        metadata = {"location": part}
        place = ", ".join(x for x in (as_text(part.get("name")), as_text(part.get("address"))) if x)
        body = (
            f"[Location] {place or ''} ({part.get('latitude')}, {part.get('longitude')})".replace(
                "]  (", "] ("
            )
        )
    elif kind == "contacts":
        raw_contacts = message.get("contacts")
        contacts: list[Any] = raw_contacts if isinstance(raw_contacts, list) else []
        metadata = {"contacts": contacts}
        names = []
        for contact in contacts:
            contact = as_dict(contact)
            name = as_text(as_dict(contact.get("name")).get("formatted_name"))
            phones = [as_text(as_dict(p).get("phone")) for p in as_list(contact.get("phones"))]
            names.append(" ".join(x for x in (name, ", ".join(p for p in phones if p)) if x))
        body = "[Contacts] " + "; ".join(n for n in names if n)
    elif kind == "reaction":
        emoji = as_text(part.get("emoji"))
        metadata = {"reaction": {"message_id": part.get("message_id"), "emoji": emoji}}
        body = f"[Reaction] {emoji}" if emoji else "[Reaction removed]"
    elif kind == "interactive":
        sub = as_text(part.get("type"))
        reply = as_dict(part.get(sub))
        metadata = {"interactive": {"type": sub, **reply}}
        if sub == "nfm_reply":  # a WhatsApp Flow's answer: keep the answers readable
            try:
                answers = json.loads(as_text(reply.get("response_json")) or "null")
            except (ValueError, RecursionError):
                answers = None
            if isinstance(answers, dict):
                metadata["flow_response"] = answers
            body = "[Flow reply] " + (as_text(reply.get("body")) or as_text(reply.get("name")))
            body = body.strip()
        else:
            body = (
                as_text(reply.get("title"))
                or as_text(reply.get("body"))
                or f"[{sub or 'Interactive'}]"
            )
    elif kind == "button":
        metadata = {"button": {"payload": part.get("payload"), "text": part.get("text")}}
        body = as_text(part.get("text")) or as_text(part.get("payload")) or "[Button]"
    elif kind == "order":
        metadata = {"order": part}
        body = f"[Order] {len(as_list(part.get('product_items')))} item(s)"
        if as_text(part.get("text")):
            body += f": {part['text']}"
    elif kind == "system":
        metadata = {"system": part}
        body = as_text(part.get("body")) or "[System message]"
    elif kind == "request_welcome":
        body = "[Welcome request]"
    elif kind in ("unsupported", "unknown"):
        body = "[Unsupported message]"
        if as_text(part.get("type")):
            metadata["unsupported_type"] = part["type"]
    else:
        metadata = {kind: part} if part else {}
        body = f"[{kind} message]"
    if not body.strip():
        body = f"[{kind} message]"
    if kind == "unknown" and part:
        metadata["unknown"] = part
    if isinstance(message.get("errors"), list):
        metadata["errors"] = message["errors"]
    if isinstance(message.get("referral"), dict):
        metadata["referral"] = message["referral"]
    context = as_dict(message.get("context"))
    if context:
        metadata["context"] = context
    return body, metadata, media_id, mime


def id_text(value: Any) -> str:
    """A contact/sender id as text, '+' dropped (`+7701…` and `7701…` are one sender)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value).strip().removeprefix("+")


def parse_messages(value: dict[str, Any], notes: list[dict[str, Any]]) -> list[InboundMessage]:
    """The messages of a `messages` change; what cannot be a message at all goes to `notes`."""
    contacts = [c for c in as_list(value.get("contacts")) if isinstance(c, dict)]
    by_key: dict[str, dict[str, Any]] = {}
    for contact in contacts:
        for key in ("wa_id", "user_id"):
            if id_text(contact.get(key)):
                by_key[id_text(contact[key])] = contact
    parsed = []
    for message in as_list(value.get("messages")):
        if not isinstance(message, dict):
            notes.append({"skipped_message": message})
            continue
        wa_id = id_text(message.get("from")) or None
        bsuid = id_text(message.get("from_user_id")) or None
        found = by_key.get(wa_id or "") or by_key.get(bsuid or "")
        if found is None and len(contacts) == 1:
            # The lone contact is this sender only when nothing says otherwise: a message from
            # another BSUID must never be filed under the contact's phone.
            only = contacts[0]
            if not (wa_id or bsuid) or not (
                id_text(only.get("wa_id")) or id_text(only.get("user_id"))
            ):
                found = only
        sender: dict[str, Any] = found or {}
        wa_id = wa_id or id_text(sender.get("wa_id")) or None
        bsuid = bsuid or id_text(sender.get("user_id")) or None
        body, metadata, media_id, mime = summarise(message)
        wamid = id_text(message.get("id"))
        if not wamid:
            # Keep it anyway, under an id derived from its content: a re-delivery stays one row.
            content = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
            wamid = "noid." + hashlib.sha256(content.encode()).hexdigest()
            metadata["wamid"] = None
        elif short_id(wamid) != wamid:
            metadata["wamid"] = wamid
        context = as_dict(message.get("context"))
        reply_to = as_text(context.get("id")) or None
        if message_kind(message) == "reaction":
            reply_to = as_text(as_dict(message.get("reaction")).get("message_id")) or reply_to
        if bsuid:
            metadata["user_id"] = bsuid
        parsed.append(
            InboundMessage(
                wamid=short_id(wamid),
                wa_id=wa_id,
                bsuid=bsuid,
                profile_name=as_text(as_dict(sender.get("profile")).get("name")),
                message_type=message_kind(message),
                body=body,
                created_at=parse_timestamp(message.get("timestamp"), earliest=EARLIEST),
                media_id=media_id,
                media_type=mime,
                reply_to_message_id=reply_to,
                metadata=metadata,
            )
        )
    return parsed
