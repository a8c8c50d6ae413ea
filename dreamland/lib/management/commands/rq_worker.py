"""Worker for `TASKS_BACKEND=redis`: runs Django tasks queued in Redis (and deferred ones)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rq import Queue


class Command(BaseCommand):
    help = "Run the Redis task worker (TASKS_BACKEND=redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            action="append",
            dest="queues",
            help="Queue to serve (repeatable); default all.",
        )
        parser.add_argument(
            "--burst", action="store_true", help="Process what is queued, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS_BACKEND != "redis":
            raise CommandError(
                "rq_worker serves TASKS_BACKEND=redis; this install uses " + settings.TASKS_BACKEND
            )
        from dreamland.lib.rq_tasks import (  # only with the redis backend
            DjangoWorker,
            redis_connection,
        )

        connection = redis_connection()
        names = options["queues"] or settings.TASK_QUEUES
        worker = DjangoWorker(
            [Queue(name, connection=connection) for name in names], connection=connection
        )
        worker.work(
            burst=options["burst"],
            with_scheduler=not options["burst"],
            # RQ's own default is INFO, three lines per job: it follows LOG_LEVEL instead.
            logging_level=logging.getLevelName(logging.getLogger().getEffectiveLevel()),
        )
