"""Turning a stored webhook event into CRM rows (SPEC §2 "Inbound message", §3).

Every entry, change, message and status of a body is applied. Each message is written in its own
transaction, keyed by its wamid (unique in `communications`), so a re-delivery or a replay of a
half-processed event writes nothing twice and never counts a message as unread twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.clients.services import client_get_or_create_by_e164
from dreamland.leads.models import OPEN_STATUSES, Lead
from dreamland.leads.services import lead_get_or_create_open, lead_interest_from_text
from dreamland.lib.phones import InvalidPhone, phone_from_wa_id
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    WhatsAppStatus,
)
from dreamland.whatsapp.models import EventStatus, WebhookEvent

logger = logging.getLogger(__name__)

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
MEDIA_LABELS = {
    "image": "[Image]",
    "video": "[Video]",
    "audio": "[Audio]",
    "document": "[Document]",
    "sticker": "[Sticker]",
}
# Forward-only ranking of delivery states; `failed` is handled apart.
STATUS_RANK = {
    WhatsAppStatus.PENDING: 0,
    WhatsAppStatus.SENT: 1,
    WhatsAppStatus.DELIVERED: 2,
    WhatsAppStatus.READ: 3,
}
# What a status carries beyond its state, kept on the message (billing, the sender's own tag).
DELIVERY_EXTRAS = ("pricing", "conversation", "biz_opaque_callback_data")
# Meta's status names → ours (`played` is a voice note listened to: read).
STATUS_ALIASES = {
    "sent": WhatsAppStatus.SENT,
    "delivered": WhatsAppStatus.DELIVERED,
    "read": WhatsAppStatus.READ,
    "played": WhatsAppStatus.READ,
    "failed": WhatsAppStatus.FAILED,
}


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


@dataclass
class Outcome:
    messages: int = 0
    duplicates: int = 0
    statuses: int = 0
    notes: list[dict[str, Any]] = field(default_factory=list)
    unmatched: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    ignored_fields: int = 0
    message_values: int = 0
    media_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class InboundMessage:
    """One message, flattened from the envelope into what a Communication row needs."""

    wamid: str
    wa_id: str | None
    bsuid: str | None
    profile_name: str
    message_type: str
    body: str
    created_at: datetime
    media_id: str | None
    media_type: str | None
    reply_to_message_id: str | None
    metadata: dict[str, Any]


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


def load_payload(raw: bytes) -> Any:
    """The cleaned JSON of a stored body; NotAnEnvelope when it cannot be read at all."""
    try:
        return clean(json.loads(raw))
    except RecursionError:
        raise NotAnEnvelope("JSON nested too deeply to process") from None
    except ValueError:
        raise NotAnEnvelope("not JSON") from None


def short_id(value: str) -> str:
    """An id that fits varchar(255): itself, or a prefix plus a hash of the whole (still unique)."""
    if len(value) <= MAX_ID:
        return value
    return value[:190] + "~" + hashlib.sha256(value.encode()).hexdigest()


def _list(value: Any) -> list[Any]:
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
        for change in [raw_changes] if isinstance(raw_changes, dict) else _list(raw_changes):
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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
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
    kind = _text(message.get("type"))
    if kind:
        return kind
    parts = [part for part in KNOWN_PARTS if isinstance(message.get(part), (dict, list))]
    return parts[0] if len(parts) == 1 else "unknown"


def summarise(message: dict[str, Any]) -> tuple[str, dict[str, Any], str | None, str | None]:
    """(body, type-specific metadata, media_id, mime type) for any message type Meta sends."""
    kind = message_kind(message)
    part = _dict(message.get(kind))
    metadata: dict[str, Any] = {}
    media_id = mime = None
    if kind == "text":
        body = _text(part.get("body"))
    elif kind in MEDIA_TYPES:
        media_id = str(part["id"]) if part.get("id") is not None else None
        mime = _text(part.get("mime_type")) or None
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
        body = _text(part.get("caption")) or label
    elif kind == "location":
        metadata = {"location": part}
        place = ", ".join(x for x in (_text(part.get("name")), _text(part.get("address"))) if x)
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
            contact = _dict(contact)
            name = _text(_dict(contact.get("name")).get("formatted_name"))
            phones = [_text(_dict(p).get("phone")) for p in _list(contact.get("phones"))]
            names.append(" ".join(x for x in (name, ", ".join(p for p in phones if p)) if x))
        body = "[Contacts] " + "; ".join(n for n in names if n)
    elif kind == "reaction":
        emoji = _text(part.get("emoji"))
        metadata = {"reaction": {"message_id": part.get("message_id"), "emoji": emoji}}
        body = f"[Reaction] {emoji}" if emoji else "[Reaction removed]"
    elif kind == "interactive":
        sub = _text(part.get("type"))
        reply = _dict(part.get(sub))
        metadata = {"interactive": {"type": sub, **reply}}
        if sub == "nfm_reply":  # a WhatsApp Flow's answer: keep the answers readable
            try:
                answers = json.loads(_text(reply.get("response_json")) or "null")
            except (ValueError, RecursionError):
                answers = None
            if isinstance(answers, dict):
                metadata["flow_response"] = answers
            body = "[Flow reply] " + (_text(reply.get("body")) or _text(reply.get("name")))
            body = body.strip()
        else:
            body = (
                _text(reply.get("title")) or _text(reply.get("body")) or f"[{sub or 'Interactive'}]"
            )
    elif kind == "button":
        metadata = {"button": {"payload": part.get("payload"), "text": part.get("text")}}
        body = _text(part.get("text")) or _text(part.get("payload")) or "[Button]"
    elif kind == "order":
        metadata = {"order": part}
        body = f"[Order] {len(_list(part.get('product_items')))} item(s)"
        if _text(part.get("text")):
            body += f": {part['text']}"
    elif kind == "system":
        metadata = {"system": part}
        body = _text(part.get("body")) or "[System message]"
    elif kind == "request_welcome":
        body = "[Welcome request]"
    elif kind in ("unsupported", "unknown"):
        body = "[Unsupported message]"
        if _text(part.get("type")):
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
    context = _dict(message.get("context"))
    if context:
        metadata["context"] = context
    return body, metadata, media_id, mime


def _key(value: Any) -> str:
    """A contact/sender id as text, '+' dropped (`+7701…` and `7701…` are one sender)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value).strip().removeprefix("+")


def parse_messages(value: dict[str, Any], notes: list[dict[str, Any]]) -> list[InboundMessage]:
    """The messages of a `messages` change; what cannot be a message at all goes to `notes`."""
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    by_key: dict[str, dict[str, Any]] = {}
    for contact in contacts:
        for key in ("wa_id", "user_id"):
            if _key(contact.get(key)):
                by_key[_key(contact[key])] = contact
    parsed = []
    for message in _list(value.get("messages")):
        if not isinstance(message, dict):
            notes.append({"skipped_message": message})
            continue
        wa_id = _key(message.get("from")) or None
        bsuid = _key(message.get("from_user_id")) or None
        found = by_key.get(wa_id or "") or by_key.get(bsuid or "")
        if found is None and len(contacts) == 1:
            # The lone contact is this sender only when nothing says otherwise: a message from
            # another BSUID must never be filed under the contact's phone.
            only = contacts[0]
            if not (wa_id or bsuid) or not (_key(only.get("wa_id")) or _key(only.get("user_id"))):
                found = only
        sender: dict[str, Any] = found or {}
        wa_id = wa_id or _key(sender.get("wa_id")) or None
        bsuid = bsuid or _key(sender.get("user_id")) or None
        body, metadata, media_id, mime = summarise(message)
        wamid = _key(message.get("id"))
        if not wamid:
            # Keep it anyway, under an id derived from its content: a re-delivery stays one row.
            content = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
            wamid = "noid." + hashlib.sha256(content.encode()).hexdigest()
            metadata["wamid"] = None
        elif short_id(wamid) != wamid:
            metadata["wamid"] = wamid
        context = _dict(message.get("context"))
        reply_to = _text(context.get("id")) or None
        if message_kind(message) == "reaction":
            reply_to = _text(_dict(message.get("reaction")).get("message_id")) or reply_to
        if bsuid:
            metadata["user_id"] = bsuid
        parsed.append(
            InboundMessage(
                wamid=short_id(wamid),
                wa_id=wa_id,
                bsuid=bsuid,
                profile_name=_text(_dict(sender.get("profile")).get("name")),
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


# --- writing ----------------------------------------------------------------------------------
def _resolve_client(msg: InboundMessage) -> Client | None:
    """The client by phone (created when new), else by BSUID; None when only an unknown BSUID."""
    if msg.wa_id:
        try:
            phone = phone_from_wa_id(msg.wa_id)
        except InvalidPhone:
            phone = None
        if phone is not None:
            # Locking the client serialises concurrent messages of one client, so two of them
            # never both find no open lead and create two.
            client = Client.objects.select_for_update().filter(phone=phone).first()
            if client is None:
                client, _created = client_get_or_create_by_e164(
                    phone_e164=phone, name=msg.profile_name
                )
            if msg.bsuid and client.whatsapp_user_id != msg.bsuid:
                _remember_bsuid(client, msg.bsuid)
            return client
    if msg.bsuid:
        return Client.objects.select_for_update().filter(whatsapp_user_id=msg.bsuid).first()
    return None


def _remember_bsuid(client: Client, bsuid: str) -> None:
    """Store the BSUID on the client, unless another client already holds it (or it cannot fit)."""
    if len(bsuid) > Client._meta.get_field("whatsapp_user_id").max_length:  # type: ignore[operator]
        logger.warning("BSUID of %s chars not stored on client #%s", len(bsuid), client.pk)
        return
    if Client.objects.filter(whatsapp_user_id=bsuid).exclude(pk=client.pk).exists():
        logger.warning("BSUID %s already belongs to another client than #%s", bsuid, client.pk)
        return
    Client.objects.filter(pk=client.pk).update(whatsapp_user_id=bsuid, updated_at=timezone.now())
    client.whatsapp_user_id = bsuid


_INSERT_COLUMNS = (
    "client_id",
    "lead_id",
    "communication_type",
    "direction",
    "body",
    "whatsapp_message_id",
    "whatsapp_status",
    "media_type",
    "message_type",
    "media_id",
    "reply_to_message_id",
    "metadata",
    "created_at",
    "updated_at",
)


def _insert_sql_and_params(
    msg: InboundMessage, client_id: int, lead_id: int
) -> tuple[str, list[Any]]:
    table = Communication._meta.db_table
    marks = ["%s"] * len(_INSERT_COLUMNS)
    if connection.vendor == "postgresql":
        marks[_INSERT_COLUMNS.index("metadata")] = "%s::jsonb"
    sql = (
        f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join(marks)}) "  # noqa: S608
        "ON CONFLICT (whatsapp_message_id) DO NOTHING RETURNING id"
    )
    params: list[Any] = [
        client_id,
        lead_id,
        CommunicationType.WHATSAPP.value,
        Direction.INBOUND.value,
        msg.body,
        msg.wamid,
        WhatsAppStatus.RECEIVED.value,
        msg.media_type[:255] if msg.media_type else None,
        msg.message_type[:32],
        msg.media_id[:255] if msg.media_id else None,
        msg.reply_to_message_id[:255] if msg.reply_to_message_id else None,
        json.dumps(msg.metadata, ensure_ascii=False) if msg.metadata else None,
        msg.created_at,
        timezone.now(),
    ]
    return sql, params


def _insert_and_count(msg: InboundMessage, client_id: int, lead_id: int) -> int | None:
    """Insert the communication (ON CONFLICT (wamid) DO NOTHING) and, only when it is new,
    bump the lead's unread count and last_message_at. None when the wamid was already stored.

    Safe against a concurrent duplicate delivery without a savepoint. On PostgreSQL both writes
    are one statement (a data-modifying CTE); elsewhere two.
    """
    insert_sql, params = _insert_sql_and_params(msg, client_id, lead_id)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH ins AS ({insert_sql}) "  # noqa: S608
                "UPDATE leads SET unread_messages_count = COALESCE(unread_messages_count, 0) + 1, "
                "last_message_at = GREATEST(COALESCE(last_message_at, %s), %s), updated_at = %s "
                "FROM ins WHERE leads.id = %s RETURNING ins.id",
                [*params, msg.created_at, msg.created_at, timezone.now(), lead_id],
            )
            row = cursor.fetchone()
            return int(row[0]) if row else None
        cursor.execute(insert_sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    Lead.objects.filter(pk=lead_id).update(
        unread_messages_count=Coalesce(F("unread_messages_count"), Value(0)) + 1,
        last_message_at=Greatest(
            Coalesce(F("last_message_at"), Value(msg.created_at)), Value(msg.created_at)
        ),
        updated_at=timezone.now(),
    )
    return int(row[0])


_OPEN_STATUSES = tuple(str(status) for status in OPEN_STATUSES)
assert len(_OPEN_STATUSES) == 4, "update _LOOKUP_SQL's placeholders"
# One round trip for the common case (a returning client with an open lead), PostgreSQL only:
# is the wamid known, the client by phone (locked), and their most recent open lead (locked) —
# the same rules as the services, which still handle every other case.
_LOOKUP_SQL = (
    "WITH c AS (SELECT id, whatsapp_user_id FROM clients WHERE phone = %s FOR UPDATE), "
    "l AS (SELECT leads.id FROM leads JOIN c ON leads.client_id = c.id "
    "WHERE leads.status IN (%s, %s, %s, %s) "
    "ORDER BY leads.created_at DESC, leads.id DESC LIMIT 1 FOR UPDATE OF leads) "
    "SELECT EXISTS (SELECT 1 FROM communications WHERE whatsapp_message_id = %s), "
    "(SELECT id FROM c), (SELECT whatsapp_user_id FROM c), (SELECT id FROM l)"
)


def _lean_lookup(msg: InboundMessage) -> tuple[bool, int | None, str | None, int | None] | None:
    if connection.vendor != "postgresql" or not msg.wa_id:
        return None
    try:
        phone = phone_from_wa_id(msg.wa_id)
    except InvalidPhone:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [phone, *_OPEN_STATUSES, msg.wamid])
        row = cursor.fetchone()
    assert row is not None
    return bool(row[0]), row[1], row[2], row[3]


def message_store_inbound(*, msg: InboundMessage) -> tuple[int | None, bool]:
    """Store one inbound message: (communication id or None, tied_to_a_client).

    Duplicates (a known wamid) return (None, True) and change nothing. Runs inside the event's
    transaction (no savepoint of its own: fewer statements on the hot path).
    """
    with transaction.atomic(savepoint=False):
        lean = _lean_lookup(msg)
        if lean is not None:
            known, client_id, bsuid, lead_id = lean
            if known:
                return None, True
            if client_id is not None and lead_id is not None:
                if msg.bsuid and bsuid != msg.bsuid:
                    _remember_bsuid(Client.objects.get(pk=client_id), msg.bsuid)
                return _insert_and_count(msg, client_id, lead_id), True
        elif Communication.objects.filter(whatsapp_message_id=msg.wamid).exists():
            return None, True
        client = _resolve_client(msg)
        if client is None:
            return None, False
        lead, created = lead_get_or_create_open(client=client)
        if created and msg.message_type == "text":
            lead_interest_from_text(lead=lead, text=msg.body)
        return _insert_and_count(msg, client.pk, lead.pk), True


def status_apply(*, status: dict[str, Any]) -> bool:
    """Apply one delivery status to our outbound message; False when the wamid is unknown."""
    wamid = short_id(_key(status.get("id")))
    new = STATUS_ALIASES.get(_text(status.get("status")))
    if not wamid or new is None:
        return False
    at = parse_timestamp(status.get("timestamp"))
    with transaction.atomic(savepoint=False):
        comm = Communication.objects.select_for_update().filter(whatsapp_message_id=wamid).first()
        if comm is None:
            return False
        changed: list[str] = []

        def stamp(name: str) -> None:
            if getattr(comm, name) is None:
                setattr(comm, name, at)
                changed.append(name)

        current = comm.whatsapp_status
        if new == WhatsAppStatus.FAILED:
            stamp("failed_at")
            errors = status.get("errors") if isinstance(status.get("errors"), list) else []
            first = _dict(errors[0]) if errors else {}
            if first:
                comm.error_code = _int_or_none(first.get("code"))
                detail = _text(_dict(first.get("error_data")).get("details"))
                title = _text(first.get("title")) or _text(first.get("message"))
                comm.error_message = f"{title}: {detail}" if detail and title else title or detail
                changed += ["error_code", "error_message"]
            # A message seen delivered or read stays so (multi-device users can swap them).
            if current not in (WhatsAppStatus.DELIVERED, WhatsAppStatus.READ):
                comm.whatsapp_status = WhatsAppStatus.FAILED
                changed.append("whatsapp_status")
        else:
            stamp({"sent": "sent_at", "delivered": "delivered_at", "read": "read_at"}[new])
            if new == WhatsAppStatus.READ:
                stamp("delivered_at")  # read implies delivered; Meta may skip `delivered`
            if new in (WhatsAppStatus.DELIVERED, WhatsAppStatus.READ):
                stamp("sent_at")
            rank = STATUS_RANK[WhatsAppStatus(current)] if current in STATUS_RANK else -1
            if current != new and (
                current == WhatsAppStatus.FAILED or STATUS_RANK[WhatsAppStatus(new)] > rank
            ):
                comm.whatsapp_status = new
                changed.append("whatsapp_status")
        delivery = {key: status[key] for key in DELIVERY_EXTRAS if status.get(key) is not None}
        if new != WhatsAppStatus.FAILED and _list(status.get("errors")):
            delivery["errors"] = status["errors"]  # a warning on a delivered message: keep it
        if delivery:
            metadata = dict(comm.metadata) if isinstance(comm.metadata, dict) else {}
            merged = {**_dict(metadata.get("delivery")), **delivery}
            if merged != metadata.get("delivery"):
                comm.metadata = {**metadata, "delivery": merged}
                changed.append("metadata")
        if changed:
            comm.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return True


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**31) <= number < 2**31 else None


def _error_text(exc: BaseException) -> str:
    return clean(f"{exc.__class__.__name__}: {exc}"[:4000])


def _isolated(outcome: Outcome, careful: bool, note: dict[str, Any], apply: Any) -> Any:
    """Run `apply()`; when careful, in its own savepoint, a failure noted instead of raised."""
    if not careful:
        return apply()
    try:
        with transaction.atomic():
            return apply()
    except Exception as exc:
        logger.exception("WhatsApp webhook item %s failed", note)
        outcome.failed += 1
        outcome.errors.append(_error_text(exc))
        outcome.notes.append({**note, "error": _error_text(exc)[:500]})
        return _FAILED


_FAILED = object()


def event_process(*, event: WebhookEvent, careful: bool = False, parsed: Any = None) -> Outcome:
    """Apply every message and status of a stored event; raises on a failure (caller records it).

    Each message has its own outcome: one that cannot be tied to a client is noted (and
    counted on the event) while the others in the same body are applied. `careful` runs each
    message and status in its own savepoint and notes the failures instead of raising, so one
    bad item never holds back the rest (the slower second pass after a failure). `parsed` is
    the body's JSON when the caller has already read it (the webhook view), else it is read
    from the stored body.
    """
    payload = clean(parsed) if parsed is not None else load_payload(bytes(event.raw_body))
    outcome = Outcome()
    for field_name, value in iter_changes(payload):
        if field_name not in MESSAGE_FIELDS or not isinstance(value, dict):
            outcome.ignored_fields += 1
            outcome.notes.append({"field": field_name or None, "ignored": True})
            continue
        outcome.message_values += 1
        if _list(value.get("errors")):
            outcome.notes.append({"errors": value["errors"]})
        for msg in parse_messages(value, outcome.notes):
            stored = _isolated(
                outcome,
                careful,
                {"failed_message": msg.wamid},
                lambda msg=msg: message_store_inbound(msg=msg),
            )
            if stored is _FAILED:
                continue
            comm_id, matched = stored
            if not matched:
                outcome.unmatched += 1
                outcome.notes.append(
                    {"unmatched_message": msg.wamid, "user_id": msg.bsuid, "type": msg.message_type}
                )
                logger.warning("WhatsApp message %s has no phone and an unknown BSUID", msg.wamid)
            elif comm_id is None:
                outcome.duplicates += 1
            else:
                outcome.messages += 1
                if msg.media_id:
                    outcome.media_ids.append(comm_id)
        for status in _list(value.get("statuses")):
            if not isinstance(status, dict):
                continue
            if _text(status.get("status")) not in STATUS_ALIASES:
                # A state we have no column for: noted, not mistaken for an unknown wamid.
                outcome.notes.append(
                    {"unhandled_status": status.get("status"), "id": status.get("id")}
                )
                continue
            applied = _isolated(
                outcome,
                careful,
                {"failed_status": status.get("id")},
                lambda status=status: status_apply(status=status),
            )
            if applied is _FAILED:
                continue
            if applied:
                outcome.statuses += 1
            else:
                outcome.notes.append(
                    {
                        "unknown_status": short_id(_key(status.get("id"))) or status.get("id"),
                        "status": status.get("status"),
                    }
                )
                logger.info(
                    "WhatsApp status %s for unknown wamid %s",
                    status.get("status"),
                    status.get("id"),
                )
    return outcome


def outcome_status(outcome: Outcome) -> EventStatus:
    """Unmatched only when nothing in the body could be applied but an unmatched message;
    a body of other change fields only is ignored; anything else is processed (with notes)."""
    applied = outcome.messages + outcome.duplicates + outcome.statuses
    if outcome.unmatched and not applied:
        return EventStatus.UNMATCHED
    if outcome.ignored_fields and not outcome.message_values:
        return EventStatus.IGNORED
    return EventStatus.PROCESSED


def event_receive(*, raw_body: bytes, signature: str, parsed: Any = None) -> WebhookEvent:
    """Store a signed delivery and process it; the event row is committed before the 200.

    The happy path is one transaction: the messages, statuses and the event row with its
    outcome (one commit per delivery; PERFORMANCE.md). When processing fails, that transaction
    rolls back and the event is stored on its own, marked failed, to be retried or replayed.
    Either way the event is committed before Meta gets its 200; a crash before that makes Meta
    deliver again, so nothing acknowledged is ever lost.
    """
    event = WebhookEvent(raw_body=raw_body, signature=signature[:100])
    return event_run(event=event, parsed=parsed)


def _save_event(event: WebhookEvent, *, new: bool) -> None:
    if new:
        event.pk = None
        event._state.adding = True
        event.save(force_insert=True)
    else:
        event.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "processed_at",
                "notes",
                "unmatched_messages",
            ]
        )


def _record(event: WebhookEvent, outcome: Outcome, *, new: bool) -> None:
    from dreamland.whatsapp.tasks import media_download_enqueue

    event.status = EventStatus.FAILED if outcome.failed else outcome_status(outcome)
    event.unmatched_messages = outcome.unmatched
    event.last_error = "; ".join(dict.fromkeys(outcome.errors))[:4000]
    event.notes = outcome.notes or None
    event.processed_at = None if outcome.failed else timezone.now()
    _save_event(event, new=new)
    for comm_id in outcome.media_ids:
        media_download_enqueue(communication_id=comm_id)


def event_run(*, event: WebhookEvent, parsed: Any = None) -> WebhookEvent:
    """Process an event and record the result on it; never raises for a processing failure.

    The fast pass applies the whole body in one transaction. When it fails, a careful pass
    applies each message and status in its own savepoint: the good ones are kept, the bad ones
    noted, and the event stays `failed` (retried; wamids make that safe) until they go through.
    """
    from dreamland.whatsapp.tasks import webhook_event_schedule_retry

    new = event.pk is None
    event.attempts += 1
    try:
        with transaction.atomic():
            _record(event, event_process(event=event, parsed=parsed), new=new)
        return event
    except NotAnEnvelope as exc:
        event.status = EventStatus.IGNORED
        event.last_error = str(exc)
        event.processed_at = timezone.now()
    except Exception as exc:
        logger.exception("WhatsApp webhook event #%s failed", event.pk or "(new)")
        try:
            with transaction.atomic():
                outcome = event_process(event=event, careful=True, parsed=parsed)
                if not outcome.failed:  # the failure was elsewhere (e.g. saving the event)
                    outcome.failed = 1
                    outcome.errors.append(_error_text(exc))
                _record(event, outcome, new=new)
        except Exception:
            logger.exception("WhatsApp webhook event #%s failed item by item", event.pk or "(new)")
            event.status = EventStatus.FAILED
            event.last_error = _error_text(exc)
            event.processed_at = None
        else:
            transaction.on_commit(lambda: webhook_event_schedule_retry(event))
            return event
    # Notes of a rolled-back run describe writes that did not happen.
    event.notes = None
    event.unmatched_messages = 0
    _save_event(event, new=new)
    if event.status == EventStatus.FAILED:
        transaction.on_commit(lambda: webhook_event_schedule_retry(event))
    return event


def statuses_reapply(*, wamid: str, since: timedelta = timedelta(days=1)) -> int:
    """Apply statuses that arrived before we knew their wamid (the send's 200 raced the webhook).

    Only events with notes are scanned (few), from the last day; returns how many were applied.
    """
    applied = 0
    events = WebhookEvent.objects.filter(
        received_at__gte=timezone.now() - since, notes__isnull=False
    ).order_by("received_at", "pk")
    for event in events:
        notes = event.notes if isinstance(event.notes, list) else []
        if not any(_dict(note).get("unknown_status") == wamid for note in notes):
            continue
        try:
            values = iter_values(load_payload(bytes(event.raw_body)))
        except NotAnEnvelope:
            continue
        for value in values:
            for status in _list(value.get("statuses")):
                if short_id(_key(_dict(status).get("id"))) == wamid and status_apply(status=status):
                    applied += 1
        event.notes = [n for n in notes if _dict(n).get("unknown_status") != wamid] or None
        event.save(update_fields=["notes"])
    return applied
