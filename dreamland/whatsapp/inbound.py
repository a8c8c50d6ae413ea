"""The life cycle of a stored webhook event: process it, record the outcome, or fail it.

Parsing is `payloads` (no database), messages are stored by `dreamland.messaging.inbound`
(the conversation lock order is there), delivery statuses are `statuses`. A body is applied in
one transaction; each message is keyed by its wamid (unique in `communications`), so a
re-delivery or a replay of a half-processed event writes nothing twice and never counts a
message as unread twice. `event_run` never schedules a retry: its callers do
(`webhook_event_schedule_retry`), so one failure queues exactly one retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from dreamland.messaging.inbound import InboundMessage, conversation_lock, message_store_inbound
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.payloads import (
    MESSAGE_FIELDS,
    NotAnEnvelope,
    as_list,
    as_text,
    clean,
    id_text,
    iter_changes,
    load_payload,
    parse_messages,
    short_id,
)
from dreamland.whatsapp.statuses import STATUS_ALIASES, status_apply

logger = logging.getLogger(__name__)


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


def _store(outcome: Outcome, careful: bool, msg: InboundMessage) -> None:
    stored = _isolated(
        outcome,
        careful,
        {"failed_message": msg.wamid},
        lambda: message_store_inbound(msg=msg, locked=True),
    )
    if stored is _FAILED:
        return
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


def _apply_status(outcome: Outcome, careful: bool, status: dict[str, Any]) -> None:
    applied = _isolated(
        outcome,
        careful,
        {"failed_status": status.get("id")},
        lambda: status_apply(status=status),
    )
    if applied is _FAILED:
        return
    if applied:
        outcome.statuses += 1
        return
    outcome.notes.append(
        {
            "unknown_status": short_id(id_text(status.get("id"))) or status.get("id"),
            "status": status.get("status"),
        }
    )
    logger.info("WhatsApp status %s for unknown wamid %s", status.get("status"), status.get("id"))


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
    messages: list[InboundMessage] = []
    statuses: list[dict[str, Any]] = []
    for field_name, value in iter_changes(payload):
        if field_name not in MESSAGE_FIELDS or not isinstance(value, dict):
            outcome.ignored_fields += 1
            outcome.notes.append({"field": field_name or None, "ignored": True})
            continue
        outcome.message_values += 1
        if as_list(value.get("errors")):
            outcome.notes.append({"errors": value["errors"]})
        messages += parse_messages(value, outcome.notes)
        for status in as_list(value.get("statuses")):
            if not isinstance(status, dict):
                continue
            if as_text(status.get("status")) not in STATUS_ALIASES:
                # A state we have no column for: noted, not mistaken for an unknown wamid.
                outcome.notes.append(
                    {"unhandled_status": status.get("status"), "id": status.get("id")}
                )
                continue
            statuses.append(status)
    # The lock order (messaging.inbound.conversation_lock): every sender's number first, at
    # once; then each message's rows; then the statuses' rows in wamid order.
    conversation_lock(phones=[msg.phone for msg in messages if msg.phone])
    for msg in messages:
        _store(outcome, careful, msg)
    statuses.sort(key=lambda status: short_id(id_text(status.get("id"))))
    for status in statuses:
        _apply_status(outcome, careful, status)
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
    from dreamland.whatsapp.tasks import webhook_event_schedule_retry  # tasks imports this module

    event = WebhookEvent(raw_body=raw_body, signature=signature[:100])
    event_run(event=event, parsed=parsed)
    if event.status == EventStatus.FAILED:
        webhook_event_schedule_retry(event)
    return event


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
    from dreamland.whatsapp.tasks import media_download_enqueue  # tasks imports this module

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
    noted, and the event stays `failed` until they go through. It never schedules a retry:
    the caller does (`webhook_event_schedule_retry`), once, so retries never multiply.
    """
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
            return event
    # Notes of a rolled-back run describe writes that did not happen.
    event.notes = None
    event.unmatched_messages = 0
    _save_event(event, new=new)
    return event
