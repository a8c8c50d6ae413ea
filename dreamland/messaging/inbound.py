"""Storing an inbound message (SPEC §2 "Inbound message"), and the conversation lock.

One message: the client by phone (created when new) or by BSUID, their open lead (the leads
app's one rule, `leads_open`; a new lead when there is none), the communication (unique wamid:
a duplicate writes nothing), the lead's unread count and `last_message_at`. Channel-neutral: the
WhatsApp app parses Meta's payloads into `InboundMessage` and calls `messages_store_inbound`.

Messages are stored set-based, many at once (`messages_store_inbound`, one webhook batch):
a fixed number of statements whatever their number — the known wamids, the senders with their
open lead (the leads app's rule as a subquery), the new clients and new leads in one insert each
(the clients and leads services), the communications in one insert, the leads' counters in one
update. One message is a batch of one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.clients.services import clients_create_many_by_e164
from dreamland.leads.selectors import leads_open
from dreamland.leads.services import leads_count_inbound, leads_open_many
from dreamland.lib.bulk import insert_rows
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

    @cached_property  # read at every step of a batch; parsing a number is not free
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


# --- storing ------------------------------------------------------------------------------------
@dataclass
class _Sender:
    """A sender found or created: the client, its stored BSUID and its open lead (if any)."""

    client_id: int
    bsuid: str | None
    lead_id: int | None


def _senders(*, phones: Iterable[str] = (), bsuids: Iterable[str] = ()) -> dict[str, _Sender]:
    """Clients by phone and by BSUID with their current open lead, in one query per kind (the
    leads app's `leads_open` rule as a subquery); keyed by the phone or the BSUID."""
    found: dict[str, _Sender] = {}
    open_lead = Subquery(leads_open(client_id=OuterRef("pk")).values("pk")[:1])
    for key, values in (("phone", set(phones)), ("whatsapp_user_id", set(bsuids))):
        if not values:
            continue
        rows = (
            Client.objects.filter(**{f"{key}__in": values})
            .annotate(open_lead_id=open_lead)
            .values_list(key, "pk", "whatsapp_user_id", "open_lead_id")
        )
        for value, client_id, bsuid, lead_id in rows:
            found[value] = _Sender(client_id, bsuid, lead_id)
    return found


def _remember_bsuid(client_id: int, bsuid: str) -> None:
    """Store the BSUID on the client, unless another client already holds it (or it cannot fit)."""
    if len(bsuid) > Client._meta.get_field("whatsapp_user_id").max_length:  # type: ignore[operator]
        logger.warning("BSUID of %s chars not stored on client #%s", len(bsuid), client_id)
        return
    if Client.objects.filter(whatsapp_user_id=bsuid).exclude(pk=client_id).exists():
        logger.warning("BSUID %s already belongs to another client than #%s", bsuid, client_id)
        return
    Client.objects.filter(pk=client_id).update(whatsapp_user_id=bsuid, updated_at=timezone.now())


_COLUMNS = (
    "client",
    "lead",
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


def _row(msg: InboundMessage, sender: _Sender, now: datetime) -> tuple[Any, ...]:
    return (
        sender.client_id,
        sender.lead_id,
        CommunicationType.WHATSAPP.value,
        Direction.INBOUND.value,
        msg.body,
        msg.wamid,
        WhatsAppStatus.RECEIVED.value,
        msg.media_type[:255] if msg.media_type else None,
        msg.message_type[:32],
        msg.media_id[:255] if msg.media_id else None,
        msg.reply_to_message_id[:255] if msg.reply_to_message_id else None,
        msg.metadata or None,
        msg.created_at,
        now,  # updated_at: the inbox's change cursor
    )


def messages_store_inbound(
    *, msgs: Sequence[InboundMessage], locked: bool = False
) -> list[tuple[int | None, bool]]:
    """Store inbound messages: for each, (communication id or None, tied_to_a_client).

    A duplicate (a wamid stored before, or earlier in `msgs`) is (None, True) and changes
    nothing; a message that cannot be tied to a client (only an unknown BSUID) is (None, False).
    The steps, each one statement for the whole batch: the wamids already stored; the senders
    by phone and BSUID with their open lead; the new senders' clients (`clients` service); a new
    lead for those with no open one (`leads` service: assignment, tour interest from the first
    text); the communications; the leads' unread counts and `last_message_at`. Runs inside the
    caller's transaction. `locked`: the caller already took `conversation_lock` for every
    sender's number (else it is taken here).
    """
    results: list[tuple[int | None, bool]] = [(None, True)] * len(msgs)
    if not msgs:
        return results
    with transaction.atomic(savepoint=False):
        if not locked:
            conversation_lock(phones=[msg.phone for msg in msgs if msg.phone])
        first: dict[str, int] = {}
        for i, msg in enumerate(msgs):
            first.setdefault(msg.wamid, i)
        stored = set(
            Communication.objects.filter(whatsapp_message_id__in=first)
            .order_by()
            .values_list("whatsapp_message_id", flat=True)
        )
        todo = [i for wamid, i in first.items() if wamid not in stored]
        if not todo:
            return results
        phones = {i: msgs[i].phone for i in todo}
        senders = _senders(
            phones=[p for p in phones.values() if p],
            bsuids=[msgs[i].bsuid or "" for i in todo if not phones[i] and msgs[i].bsuid],
        )
        fresh: dict[str, str] = {}
        for i in todo:
            phone = phones[i]
            if phone and phone not in senders:
                fresh.setdefault(phone, msgs[i].profile_name)
        if fresh:
            created = clients_create_many_by_e164(names=fresh)
            senders.update({p: _Sender(pk, None, None) for p, pk in created.items()})
            if len(created) < len(fresh):  # created meanwhile by someone else
                senders.update(_senders(phones=fresh.keys() - created.keys()))
        mine: dict[int, _Sender] = {}
        first_texts: dict[int, str | None] = {}
        for i in todo:
            msg, phone = msgs[i], phones[i]
            sender = senders.get(phone) if phone else senders.get(msg.bsuid or "")
            if sender is None:
                results[i] = (None, False)
                continue
            mine[i] = sender
            if phone and msg.bsuid and sender.bsuid != msg.bsuid:
                _remember_bsuid(sender.client_id, msg.bsuid)
                sender.bsuid = msg.bsuid
            if sender.lead_id is None and sender.client_id not in first_texts:
                # SPEC §2: a new lead's first WhatsApp text sets its tour interest
                first_texts[sender.client_id] = (
                    msg.body if msg.message_type == "text" and msg.body else None
                )
        if first_texts:
            opened = leads_open_many(first_texts=first_texts)
            for sender in mine.values():
                if sender.lead_id is None:
                    sender.lead_id = opened[sender.client_id]
        if not mine:
            return results
        now = timezone.now()
        written = dict(
            insert_rows(
                Communication,
                _COLUMNS,
                [_row(msgs[i], sender, now) for i, sender in mine.items()],
                ignore_conflicts=True,  # stored at this moment by a concurrent writer
                returning=("whatsapp_message_id", "id"),
            )
        )
        counts: dict[int, tuple[int, datetime, datetime]] = {}
        for i, sender in mine.items():
            comm_id = written.get(msgs[i].wamid)
            if comm_id is None:
                continue
            results[i] = (int(comm_id), True)
            assert sender.lead_id is not None
            at = msgs[i].created_at
            n, earliest, latest = counts.get(sender.lead_id, (0, at, at))
            counts[sender.lead_id] = (n + 1, min(earliest, at), max(latest, at))
        leads_count_inbound(counts=counts)
    return results
