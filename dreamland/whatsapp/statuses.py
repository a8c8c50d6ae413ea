"""Delivery statuses of our outbound messages (sent → delivered → read, or failed), forward only.

A status moves a message forward and never back (multi-device users' receipts arrive in any
order); `failed` never overrides a message already seen delivered or read. Each status updates
one communication row, found by wamid and locked: the last step of the conversation lock order
(`dreamland.messaging.inbound.conversation_lock`), and callers apply a body's statuses in wamid
order so that two bodies never lock two rows the opposite way round.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dreamland.messaging.models import Communication, WhatsAppStatus
from dreamland.whatsapp.models import WebhookEvent
from dreamland.whatsapp.payloads import (
    NotAnEnvelope,
    as_dict,
    as_list,
    as_text,
    id_text,
    iter_values,
    load_payload,
    parse_timestamp,
    short_id,
)

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


def status_apply(*, status: dict[str, Any]) -> bool:
    """Apply one delivery status to our outbound message; False when the wamid is unknown."""
    wamid = short_id(id_text(status.get("id")))
    new = STATUS_ALIASES.get(as_text(status.get("status")))
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
            first = as_dict(errors[0]) if errors else {}
            if first:
                comm.error_code = _int_or_none(first.get("code"))
                detail = as_text(as_dict(first.get("error_data")).get("details"))
                title = as_text(first.get("title")) or as_text(first.get("message"))
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
        if new != WhatsAppStatus.FAILED and as_list(status.get("errors")):
            delivery["errors"] = status["errors"]  # a warning on a delivered message: keep it
        if delivery:
            metadata = dict(comm.metadata) if isinstance(comm.metadata, dict) else {}
            merged = {**as_dict(metadata.get("delivery")), **delivery}
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
        if not any(as_dict(note).get("unknown_status") == wamid for note in notes):
            continue
        try:
            values = iter_values(load_payload(bytes(event.raw_body)))
        except NotAnEnvelope:
            continue
        for value in values:
            for status in as_list(value.get("statuses")):
                if short_id(id_text(as_dict(status).get("id"))) == wamid and status_apply(
                    status=status
                ):
                    applied += 1
        event.notes = [n for n in notes if as_dict(n).get("unknown_status") != wamid] or None
        event.save(update_fields=["notes"])
    return applied
