"""The workers are woken by the stored event's own NOTIFY (PostgreSQL with the Redis queue): the
webhook request sends one statement, and a listening worker queues one processing task per
burst — none lost while nobody listened, none doubled while one is waiting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.tasks.backends.dummy import DummyBackend
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from dreamland.lib.rq_tasks import redis_connection
from dreamland.whatsapp import tasks, wakeup
from dreamland.whatsapp.inbound import event_receive
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.testing import message_body, sign
from dreamland.whatsapp.tests.helpers import APP_SECRET

REDIS_URL = "redis://127.0.0.1:6379/12"


def _deliver(wamid: str) -> WebhookEvent:
    body = message_body(
        {"id": wamid, "type": "text", "text": {"body": "Сәлем"}}, wa_id="77011234567"
    )
    raw = json.dumps(body).encode()
    return event_receive(raw_body=raw, signature=sign(raw, APP_SECRET))


def _eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the listener did not act in time")
        time.sleep(0.02)


class _Queue:
    """Stands for the processing task's queue, counting what is queued from any thread (the
    dummy backend keeps one list per thread, and the listener has a thread of its own)."""

    def __init__(self) -> None:
        self.queued = 0

    def enqueue(self) -> None:
        self.queued += 1

    def get_backend(self) -> DummyBackend:
        return DummyBackend(alias="default", params={})


@pytest.fixture
def redis_queue(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Redis, _Queue]]:
    """TASKS_BACKEND=redis for the wake-up's rules, a clean Redis database for the kick key, and
    the processing task's queue counted."""
    settings.TASKS_BACKEND = "redis"
    settings.REDIS_URL = REDIS_URL
    redis_connection.cache_clear()
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 for the wake-up tests")
    redis.flushdb()
    queue = _Queue()
    monkeypatch.setattr(tasks, "webhook_events_process", queue)
    yield redis, queue
    redis.flushdb()
    redis_connection.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_a_listening_worker_queues_one_task_per_burst_and_none_is_lost(
    redis_queue: tuple[Redis, _Queue], django_assert_num_queries: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's; elsewhere the request kicks (test_ingest_statements)")
    redis, queue = redis_queue
    assert wakeup.notified_by_the_database()

    # Stored while no worker listens: the request itself queues nothing, touches no Redis.
    with django_assert_num_queries(1):
        event = _deliver("wamid.wake1")
    assert event.status == EventStatus.RECEIVED
    assert queue.queued == 0 and not redis.exists(tasks._KICK_KEY)

    stop = threading.Event()
    listener = threading.Thread(target=wakeup.listen, args=(stop,), daemon=True)
    listener.start()
    try:
        # On connecting, the listener asks once for what was stored meanwhile.
        _eventually(lambda: queue.queued == 1)
        # A burst while that task waits to start: its key stands, nothing more is queued.
        for i in range(5):
            _deliver(f"wamid.wake-burst{i}")
        time.sleep(0.3)
        assert queue.queued == 1
        # The task started (it clears the key): the next delivery queues the next task.
        redis.delete(tasks._KICK_KEY)
        _deliver("wamid.wake2")
        _eventually(lambda: queue.queued == 2)
    finally:
        stop.set()
        listener.join(timeout=10)
    assert not listener.is_alive()
    assert WebhookEvent.objects.filter(status=EventStatus.RECEIVED).count() == 7


@pytest.mark.django_db
def test_without_postgresql_and_redis_the_request_asks_itself(settings: Any) -> None:
    settings.TASKS_BACKEND = "database"
    assert not wakeup.notified_by_the_database()
    settings.TASKS_BACKEND = "redis"
    assert wakeup.notified_by_the_database() is (connection.vendor == "postgresql")
