"""TASKS_BACKEND=redis: tasks go through a real Redis and come back with their results."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.tasks import task, task_backends
from django.test import override_settings
from django.utils import timezone
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker

REDIS_URL = "redis://127.0.0.1:6379/15"
RQ_TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "rq": {"BACKEND": "dreamland.lib.rq_tasks.RQBackend", "QUEUES": ["default"]},
}


@task
def square(n: int) -> int:
    return n * n


@task
def explode() -> None:
    raise ValueError("boom")


@pytest.fixture
def redis() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 for the task-queue tests")
    connection.flushdb()
    yield connection
    connection.flushdb()


def run_worker(redis: Redis) -> None:
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


@override_settings(TASKS=RQ_TASKS, REDIS_URL=REDIS_URL)
def test_a_task_runs_on_the_worker_and_its_result_comes_back(redis: Redis) -> None:
    result = square.using(backend="rq").enqueue(7)
    assert result.status == "READY"

    run_worker(redis)

    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 49
    assert task_backends["rq"].get_result(result.id).args == [7]


@override_settings(TASKS=RQ_TASKS, REDIS_URL=REDIS_URL)
def test_a_failing_task_is_reported_failed_with_its_traceback(redis: Redis) -> None:
    result = explode.using(backend="rq").enqueue()
    run_worker(redis)
    result.refresh()
    assert result.status == "FAILED"
    assert "boom" in result.errors[0].traceback


@override_settings(TASKS=RQ_TASKS, REDIS_URL=REDIS_URL)
def test_a_deferred_task_waits_in_the_scheduler(redis: Redis) -> None:
    later = timezone.now() + timedelta(hours=1)
    result = square.using(backend="rq", run_after=later).enqueue(3)
    run_worker(redis)
    result.refresh()
    assert result.status == "READY"
