"""`manage.py complete_past_bookings`: the daily job; schedule it from cron (see bookings/tasks.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dreamland.bookings.tasks import complete_past_bookings


class Command(BaseCommand):
    help = "Mark confirmed/paid bookings whose departure date has passed as completed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the job to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = complete_past_bookings.enqueue()
            self.stdout.write(f"Enqueued task {result.id}.")
            return
        count = complete_past_bookings.call()
        self.stdout.write(f"Completed {count} booking(s).")
