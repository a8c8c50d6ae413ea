"""`manage.py send_reminders`: one pass of the reminders (for cron), or `--every N` seconds in a
loop (what `make run` starts beside the worker). Several at once are safe: each reminder is
made once (the `reminder_deliveries` unique key)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from dreamland.reminders.services import reminders_run
from dreamland.reminders.tasks import reminders_pass

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the due reminders and flag unanswered leads (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running, one pass every SECONDS (the scheduler of a small install)",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="hand one pass to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            queued = reminders_pass.enqueue()
            self.stdout.write(f"Enqueued task {queued.id}.")
            return
        every = max(int(options["every"]), 0)
        if not every:
            self.stdout.write(reminders_run().summary())
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"Reminders: a pass every {every} s (Ctrl-C stops).")
        while not stop.is_set():
            close_old_connections()
            try:
                done = reminders_run()
            except Exception:  # a bad pass (database restarting) must not end the scheduler
                log.exception("reminders: the pass failed; trying again in %s s", every)
            else:
                level = logging.INFO if done.did_something else logging.DEBUG
                log.log(level, "reminders: %s", done.summary())
            finally:
                close_old_connections()
            stop.wait(every)
