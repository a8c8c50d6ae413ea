"""`TASKS_BACKEND=redis`: Django's tasks framework on top of RQ, for installs that outgrow the
database queue. Tasks are still written with `django.tasks.task`; only transport changes.

The worker is `manage.py rq_worker` (it also runs RQ's scheduler, which deferred tasks need).
It runs jobs in its own process (`DjangoWorker`), not in a forked child per job as RQ does by
default: a fork and a new database connection per job cost more than most of our jobs (a batch
of webhook events, one send), and the worker keeps its connection as a request thread does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.tasks import Task
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from redis import Redis
from rq import Queue, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

_STATUS = {
    JobStatus.QUEUED: TaskResultStatus.READY,
    JobStatus.DEFERRED: TaskResultStatus.READY,
    JobStatus.SCHEDULED: TaskResultStatus.READY,
    JobStatus.STARTED: TaskResultStatus.RUNNING,
    JobStatus.FINISHED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.STOPPED: TaskResultStatus.FAILED,
    JobStatus.CANCELED: TaskResultStatus.FAILED,
}


@cache
def redis_connection() -> Redis:
    """The process's client (its pool is thread-safe, and reset in a forked child)."""
    return Redis.from_url(settings.REDIS_URL)


def run_task(module_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """What an RQ job executes: look the task up by its dotted path and call it."""
    task: Task = import_string(module_path)
    return normalize_json(task.call(*args, **kwargs))


class DjangoWorker(SimpleWorker):
    """RQ's in-process worker, with Django's connection hygiene around each job: a connection
    past `CONN_MAX_AGE` or broken by the last job is closed, as between two requests."""

    def execute_job(self, job: Job, queue: Queue) -> Any:
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()


class RQBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True

    def queue(self, name: str) -> Queue:
        return Queue(name, connection=redis_connection())

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        args, kwargs = normalize_json(list(args)), normalize_json(dict(kwargs))
        queue = self.queue(task.queue_name)
        job_args = (task.module_path, args, kwargs)
        if task.run_after is not None:
            job = queue.enqueue_at(task.run_after, run_task, *job_args)
        else:
            job = queue.enqueue(run_task, *job_args)
        return self._result(task, job)

    def get_result(self, result_id: str) -> TaskResult:
        try:
            job = Job.fetch(result_id, connection=redis_connection())
        except NoSuchJobError:
            raise TaskResultDoesNotExist(result_id) from None
        module_path, args, kwargs = job.args
        task = import_string(module_path)
        return self._result(task, job, args=args, kwargs=kwargs)

    def _result(
        self,
        task: Task,
        job: Job,
        *,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> TaskResult:
        status = _STATUS.get(
            job.get_status(refresh=False) or JobStatus.QUEUED, TaskResultStatus.READY
        )
        errors: list[TaskError] = []
        latest = job.latest_result()
        if status == TaskResultStatus.FAILED and latest is not None:
            errors.append(
                TaskError(
                    exception_class_path="builtins.Exception", traceback=latest.exc_string or ""
                )
            )
        result: TaskResult[Any, Any] = TaskResult(
            task=task,
            id=job.id,
            status=status,
            enqueued_at=_aware(job.enqueued_at),
            started_at=_aware(job.started_at),
            last_attempted_at=_aware(job.started_at),
            finished_at=_aware(job.ended_at),
            args=args if args is not None else job.args[1],
            kwargs=kwargs if kwargs is not None else job.args[2],
            backend=self.alias,
            errors=errors,
            worker_ids=[job.worker_name] if job.worker_name else [],
        )
        if status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", job.return_value())
        return result


def _aware(value: datetime | None) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)
