"""Background work for WhatsApp: processing and retrying webhook events, sending messages,
downloading media."""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from dreamland.lib.errors import NotConfigured
from dreamland.messaging.models import Communication, WhatsAppStatus
from dreamland.whatsapp.client import (
    PermanentError,
    RetryableError,
    WhatsAppClient,
    whatsapp_configured,
)
from dreamland.whatsapp.inbound import event_run, events_process_received
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.statuses import statuses_reapply

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5
MAX_EVENT_ATTEMPTS = 5
MAX_MEDIA_ATTEMPTS = 5


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at 30 minutes."""
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 1800))


def _enqueue_later(task_obj: Any, delay: timedelta, **kwargs: Any) -> None:
    """Enqueue with run_after where the backend can defer; at once otherwise (immediate backend)."""
    if task_obj.get_backend().supports_defer:
        task_obj.using(run_after=timezone.now() + delay).enqueue(**kwargs)
    else:
        task_obj.enqueue(**kwargs)


# --- webhook events -----------------------------------------------------------------------------
# Set while a processing task is queued and has not started: a burst of deliveries queues one
# task, not one each. Only with the Redis backend (a key every process sees, set in one round
# trip); it expires, so a task lost with a crashed worker holds nothing back for long.
_KICK_KEY = "dreamland:whatsapp:events:kick"
_KICK_TTL_S = 10
# How long a started task lets deliveries gather before it claims them. A batch and a job cost
# a fixed amount (statements, RQ's bookkeeping), so at several hundred messages a second this
# turns batches of one or two events into batches of dozens, for that much more latency (a
# message is readable well within a second). Measured at ~700 msg/s, interleaved runs: 50 ms,
# ~50 jobs per 2,600 messages, 2.56 to 2.74 ms of CPU per message in all; 100 ms, ~27 jobs,
# 2.10 to 2.33; 200 ms saved little more and held the last batch of a burst longer.
_GATHER_S = 0.1


def _kick_key() -> Redis | None:
    if settings.TASKS_BACKEND != "redis":
        return None
    from dreamland.lib.rq_tasks import redis_connection  # only with the redis backend

    return redis_connection()


@task
def webhook_events_process() -> int:
    """Apply every received webhook event, in batches (`inbound.events_process_received`)."""
    redis = _kick_key()
    if redis is not None:
        time.sleep(_GATHER_S)  # deliveries stored meanwhile queue no task of their own
        # Then: a delivery stored from now on queues a task of its own, and one stored before
        # is seen by the claim below.
        redis.delete(_KICK_KEY)
    return events_process_received()


def webhook_events_kick() -> bool:
    """Ask for the received events to be processed (after the webhook stored one); True when
    they were processed before this returned (the immediate backend).

    With Redis, a task is queued only when none is waiting already (`_KICK_KEY`, which the task
    clears as it starts): no delivery is left behind, since the task claims every event stored
    before it started.
    """
    redis = _kick_key()
    if redis is not None and not redis.set(_KICK_KEY, 1, nx=True, ex=_KICK_TTL_S):
        return False
    webhook_events_process.enqueue()
    return isinstance(webhook_events_process.get_backend(), ImmediateBackend)


@task
def webhook_event_retry(event_id: int) -> str:
    """Re-process a failed event; gives up after MAX_EVENT_ATTEMPTS (replay_webhooks still can)."""
    event = WebhookEvent.objects.filter(pk=event_id).first()
    if event is None or event.status != EventStatus.FAILED:
        return "skipped"
    event_run(event=event)
    if event.status == EventStatus.FAILED:
        webhook_event_schedule_retry(event)
    return event.status


def webhook_event_schedule_retry(event: WebhookEvent) -> None:
    """The one place a failed event's retry is queued (after the commit, with backoff).

    Callers of `event_run` call it once per failure (the webhook view, the retry task itself);
    backends that cannot defer get none (`replay_webhooks` covers them), and after
    MAX_EVENT_ATTEMPTS it gives up.
    """
    if event.attempts >= MAX_EVENT_ATTEMPTS or event.pk is None:
        return
    if not webhook_event_retry.get_backend().supports_defer:
        return
    event_id, delay = event.pk, backoff(event.attempts)
    transaction.on_commit(
        lambda: webhook_event_retry.using(run_after=timezone.now() + delay).enqueue(
            event_id=event_id
        )
    )


# --- outbound ---------------------------------------------------------------------------------
@task
def whatsapp_send(communication_id: int, attempt: int = 1) -> str:
    """POST the stored request of an outbound communication; retried with backoff if transient."""
    comm = Communication.objects.select_related("client").filter(pk=communication_id).first()
    if comm is None or comm.whatsapp_status != WhatsAppStatus.PENDING:
        return "skipped"
    request = (comm.metadata or {}).get("request")
    if not isinstance(request, dict):
        _mark_failed(comm, None, "Nothing to send: the stored request is missing.")
        return "failed"
    try:
        client = WhatsAppClient.from_settings()
    except NotConfigured as exc:
        _mark_failed(comm, None, str(exc))
        return "failed"
    try:
        result = client.send(request)
    except RetryableError as exc:
        if attempt >= MAX_SEND_ATTEMPTS:
            _mark_failed(comm, exc.code, f"{exc} (gave up after {attempt} attempts)")
            return "failed"
        logger.warning("WhatsApp send #%s attempt %s failed: %s", comm.pk, attempt, exc)
        Communication.objects.filter(pk=comm.pk).update(
            error_code=exc.code, error_message=f"Retrying: {exc}", updated_at=timezone.now()
        )
        _enqueue_later(
            whatsapp_send, backoff(attempt), communication_id=comm.pk, attempt=attempt + 1
        )
        return "retrying"
    except PermanentError as exc:
        _mark_failed(comm, exc.code, str(exc))
        return "failed"
    finally:
        client.close()
    now = timezone.now()
    # A `sent`/`delivered` webhook may have raced ahead of this answer: only leave `pending`.
    Communication.objects.filter(pk=comm.pk).update(
        whatsapp_message_id=result.wamid,
        error_code=None,
        error_message=None,
        updated_at=now,
    )
    Communication.objects.filter(pk=comm.pk, whatsapp_status=WhatsAppStatus.PENDING).update(
        whatsapp_status=WhatsAppStatus.SENT, sent_at=now
    )
    statuses_reapply(wamid=result.wamid)
    return "sent"


def _mark_failed(comm: Communication, code: int | None, message: str) -> None:
    now = timezone.now()
    Communication.objects.filter(pk=comm.pk).update(
        whatsapp_status=WhatsAppStatus.FAILED,
        error_code=code,
        error_message=message[:4000],
        failed_at=now,
        updated_at=now,
    )


# --- media ------------------------------------------------------------------------------------
def media_download_enqueue(*, communication_id: int) -> None:
    """Queue the download of an inbound message's media; without credentials keep the media id."""
    if not whatsapp_configured():
        logger.info(
            "WhatsApp is not configured: media of communication #%s stays as its media id",
            communication_id,
        )
        return
    transaction.on_commit(lambda: media_download.enqueue(communication_id=communication_id))


def _extension(mime: str) -> str:
    base = mime.split(";")[0].strip().lower()
    known = {"audio/ogg": ".ogg", "image/jpeg": ".jpg", "image/webp": ".webp", "audio/mpeg": ".mp3"}
    return known.get(base) or mimetypes.guess_extension(base) or ".bin"


def _sha256_matches(content: bytes, expected: str) -> bool:
    """Meta gives sha256 as hex (media endpoint) or base64 (webhook); accept either."""
    digest = hashlib.sha256(content).digest()
    expected = expected.strip()
    if expected.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(expected + "=" * (-len(expected) % 4)) == digest
    except ValueError:
        return False


@task
def media_download(communication_id: int, attempt: int = 1) -> str:
    """media id → GET /{media_id} → url → GET url (Bearer) → bytes in the default storage."""
    comm = Communication.objects.filter(pk=communication_id).first()
    if comm is None or not comm.media_id or comm.media_url:
        return "skipped"
    try:
        client = WhatsAppClient.from_settings()
    except NotConfigured:
        logger.info("WhatsApp is not configured: media %s not downloaded", comm.media_id)
        return "not_configured"
    try:
        info = client.media_info(comm.media_id)
        content = client.download(str(info["url"]))
        expected = str(info.get("sha256") or (comm.metadata or {}).get("sha256") or "")
        if expected and not _sha256_matches(content, expected):
            raise RetryableError("downloaded media does not match its sha256")
    except RetryableError as exc:
        if attempt < MAX_MEDIA_ATTEMPTS:
            logger.warning("Media %s attempt %s: %s", comm.media_id, attempt, exc)
            _enqueue_later(
                media_download, backoff(attempt), communication_id=comm.pk, attempt=attempt + 1
            )
            return "retrying"
        logger.error("Media %s gave up: %s", comm.media_id, exc)
        return "failed"
    except PermanentError as exc:
        logger.error("Media %s cannot be downloaded: %s", comm.media_id, exc)
        return "failed"
    finally:
        client.close()
    mime = str(info.get("mime_type") or comm.media_type or "application/octet-stream")
    now = timezone.now()
    key = hashlib.sha256((comm.whatsapp_message_id or str(comm.pk)).encode()).hexdigest()[:32]
    name = default_storage.save(
        f"whatsapp/{now:%Y/%m}/{key}{_extension(mime)}", ContentFile(content)
    )
    Communication.objects.filter(pk=comm.pk).update(
        media_url=default_storage.url(name) if settings.MEDIA_URL else name,
        media_type=mime,
        updated_at=now,
    )
    return "saved"
