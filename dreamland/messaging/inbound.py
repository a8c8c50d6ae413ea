"""Storing an inbound message (SPEC §2 "Inbound message"), and the conversation lock.

One message: the client by phone (created when new) or by BSUID, their open lead (the leads
app's one rule, `leads_open`; a new lead when there is none), the communication (unique wamid:
a duplicate writes nothing), the lead's unread count and `last_message_at`. Channel-neutral: the
WhatsApp app parses Meta's payloads into `InboundMessage` and calls `message_store_inbound`.

The common case (a known client with an open lead, or a duplicate) takes a fast path of few
statements built from the same ORM rule: on PostgreSQL one statement (a data-modifying CTE)
after the conversation lock, on SQLite a lookup, the insert and the lead update. Anything else
goes through the clients and leads services.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.clients.services import client_get_or_create_by_e164
from dreamland.leads.models import Lead
from dreamland.leads.selectors import leads_open
from dreamland.leads.services import lead_get_or_create_open, lead_interest_from_text
from dreamland.lib.phones import InvalidPhone, phone_from_wa_id
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    WhatsAppStatus,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundMessage:
    """One message, flattened from the channel's envelope into what a Communication row needs."""

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

    @property
    def phone(self) -> str | None:
        """The sender's E.164 number, None when there is none (a BSUID only) or it is invalid."""
        if not self.wa_id:
            return None
        try:
            return phone_from_wa_id(self.wa_id)
        except InvalidPhone:
            return None


# --- the lock order -----------------------------------------------------------------------------
def _lock_key(phone: str) -> int:
    """A stable signed 64-bit key per phone number (advisory locks take a bigint)."""
    digest = hashlib.blake2b(f"dreamland.conversation:{phone}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def conversation_lock(*, phones: Iterable[str]) -> None:
    """Take the conversation lock of every given phone number, until the transaction ends.

    The one lock order of everything that writes a customer's conversation (inbound messages,
    agents' sends, delivery statuses), so that simultaneous writers queue instead of deadlocking:

    1. this lock: a transaction-scoped advisory lock per E.164 number, all the numbers a
       transaction will touch at once, in key order (one statement);
    2. the client row (found or inserted, never locked FOR UPDATE);
    3. the lead row (created, or updated: unread count, `last_message_at`);
    4. communication rows (inserted; statuses update existing ones in wamid order).

    Why a lock on the number: a new customer has no row yet to lock, so twenty simultaneous first
    messages each tried to create the client and the lead, and row locks taken after another
    transaction's foreign-key check (its KEY SHARE on the same client or lead) deadlocked. The
    number is known before any row is read, so it comes first. SQLite needs nothing: writers
    already queue on `BEGIN IMMEDIATE`. Call inside `transaction.atomic()`.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({_lock_key(phone) for phone in phones})
    if not keys:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("conversation_lock must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        if len(keys) == 1:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", keys)
        else:  # unnest keeps the array's (sorted) order
            cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])


# --- the fast path ------------------------------------------------------------------------------
_PHONE = "\x00phone"
_WAMID = "\x00wamid"


@cache
def _lookup_sql() -> tuple[str, tuple[Any, ...]]:
    """(sql, params) of: the client by phone, its BSUID, its open lead (the leads app's rule) and
    whether the wamid is stored. Compiled once from the ORM with marker values that each call
    swaps for its own (compiling a queryset per message costs more than running it)."""
    query = (
        Client.objects.filter(phone=_PHONE)
        .annotate(
            open_lead_id=Subquery(leads_open(client_id=OuterRef("pk")).values("pk")[:1]),
            known=Subquery(
                Communication.objects.filter(whatsapp_message_id=_WAMID).values("pk")[:1]
            ),
        )
        .values_list("pk", "whatsapp_user_id", "open_lead_id", "known")
    )
    sql, params = query.query.sql_with_params()
    return sql, tuple(params)


def _params(msg: InboundMessage, phone: str, params: tuple[Any, ...]) -> list[Any]:
    marks = {_PHONE: phone, _WAMID: msg.wamid}
    return [marks.get(p, p) if isinstance(p, str) else p for p in params]


_INSERT_COLUMNS = (
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


def _insert_values(msg: InboundMessage) -> list[Any]:
    return [
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
        timezone.now(),  # updated_at: the inbox's change cursor
    ]


def _value_marks() -> list[str]:
    marks = ["%s"] * len(_INSERT_COLUMNS)
    if connection.vendor == "postgresql":
        marks[_INSERT_COLUMNS.index("metadata")] = "%s::jsonb"
    return marks


@cache
def _fast_sql_postgresql() -> str:
    """Lookup, insert (ON CONFLICT (wamid) DO NOTHING) and the lead's counters in one statement.

    Inserts only when the client has an open lead; the caller falls back to the services when
    it has none (or the client is new). Runs after the conversation lock, so nothing of this
    client's conversation changes under it.
    """
    lookup, _params_unused = _lookup_sql()
    table = Communication._meta.db_table
    columns = ", ".join(("client_id", "lead_id", *_INSERT_COLUMNS))
    return (
        f"WITH f (client_id, bsuid, lead_id, known) AS ({lookup}), "  # noqa: S608
        f"ins AS (INSERT INTO {table} ({columns}) "
        f"SELECT f.client_id, f.lead_id, {', '.join(_value_marks())} FROM f "
        "WHERE f.lead_id IS NOT NULL AND f.known IS NULL "
        "ON CONFLICT (whatsapp_message_id) DO NOTHING RETURNING id), "
        "upd AS (UPDATE leads SET unread_messages_count = COALESCE(unread_messages_count, 0) + 1, "
        "last_message_at = GREATEST(COALESCE(last_message_at, %s), %s), updated_at = %s "
        "FROM f, ins WHERE leads.id = f.lead_id) "
        "SELECT f.client_id, f.bsuid, f.lead_id, f.known, (SELECT id FROM ins) FROM f"
    )


def _fast_postgresql(msg: InboundMessage, phone: str) -> tuple[int | None, bool] | None:
    _lookup, params = _lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            _fast_sql_postgresql(),
            [
                *_params(msg, phone, params),
                *_insert_values(msg),
                msg.created_at,
                msg.created_at,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None  # a new client: the services create it
    client_id, bsuid, lead_id, known, comm_id = row
    if known is not None:
        return None, True
    if lead_id is None:
        return None  # no open lead: the leads service opens one
    if comm_id is None:
        return None, True  # a concurrent duplicate (ON CONFLICT)
    if msg.bsuid and bsuid != msg.bsuid:
        _remember_bsuid(client_id, msg.bsuid)
    return int(comm_id), True


def _fast_sqlite(msg: InboundMessage, phone: str) -> tuple[int | None, bool] | None:
    sql, params = _lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(msg, phone, params))
        row = cursor.fetchone()
    if row is None:
        return None
    client_id, bsuid, lead_id, known = row
    if known is not None:
        return None, True
    if lead_id is None:
        return None
    if msg.bsuid and bsuid != msg.bsuid:
        _remember_bsuid(client_id, msg.bsuid)
    return _insert_and_count(msg, client_id, lead_id), True


# --- the general path ---------------------------------------------------------------------------
def _resolve_client(msg: InboundMessage) -> Client | None:
    """The client by phone (created when new), else by BSUID; None when only an unknown BSUID."""
    phone = msg.phone
    if phone is not None:
        client, _created = client_get_or_create_by_e164(phone_e164=phone, name=msg.profile_name)
        if msg.bsuid and client.whatsapp_user_id != msg.bsuid:
            _remember_bsuid(client.pk, msg.bsuid)
        return client
    if msg.bsuid:
        return Client.objects.filter(whatsapp_user_id=msg.bsuid).first()
    return None


def _remember_bsuid(client_id: int, bsuid: str) -> None:
    """Store the BSUID on the client, unless another client already holds it (or it cannot fit)."""
    if len(bsuid) > Client._meta.get_field("whatsapp_user_id").max_length:  # type: ignore[operator]
        logger.warning("BSUID of %s chars not stored on client #%s", len(bsuid), client_id)
        return
    if Client.objects.filter(whatsapp_user_id=bsuid).exclude(pk=client_id).exists():
        logger.warning("BSUID %s already belongs to another client than #%s", bsuid, client_id)
        return
    Client.objects.filter(pk=client_id).update(whatsapp_user_id=bsuid, updated_at=timezone.now())


def _insert_and_count(msg: InboundMessage, client_id: int, lead_id: int) -> int | None:
    """Insert the communication (ON CONFLICT (wamid) DO NOTHING) and, only when it is new, bump
    the lead's unread count and last_message_at. None when the wamid was already stored."""
    table = Communication._meta.db_table
    columns = ", ".join(("client_id", "lead_id", *_INSERT_COLUMNS))
    marks = ", ".join(["%s", "%s", *_value_marks()])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
            "ON CONFLICT (whatsapp_message_id) DO NOTHING RETURNING id",
            [client_id, lead_id, *_insert_values(msg)],
        )
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


def message_store_inbound(*, msg: InboundMessage, locked: bool = False) -> tuple[int | None, bool]:
    """Store one inbound message: (communication id or None, tied_to_a_client).

    A duplicate (a known wamid) returns (None, True) and changes nothing; a message that cannot
    be tied to a client (only an unknown BSUID) returns (None, False). Runs inside the caller's
    transaction (no savepoint of its own: fewer statements on the hot path). `locked`: the caller
    already took `conversation_lock` for the sender's number (else it is taken here).
    """
    with transaction.atomic(savepoint=False):
        phone = msg.phone
        if phone is not None:
            if not locked:
                conversation_lock(phones=[phone])
            fast = (
                _fast_postgresql(msg, phone)
                if connection.vendor == "postgresql"
                else _fast_sqlite(msg, phone)
            )
            if fast is not None:
                return fast
        if Communication.objects.filter(whatsapp_message_id=msg.wamid).exists():
            return None, True
        client = _resolve_client(msg)
        if client is None:
            return None, False
        lead, created = lead_get_or_create_open(client=client)
        if created and msg.message_type == "text" and msg.body:
            lead_interest_from_text(lead=lead, text=msg.body)  # SPEC §2 tour interest
        return _insert_and_count(msg, client.pk, lead.pk), True
