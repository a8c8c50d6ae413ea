"""`manage.py seed_demo [--if-empty]`: load the demo agency (idempotent) and print the demo logins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dreamland.accounts.models import User
from dreamland.demo import data
from dreamland.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load demo data (staff, tours, ~200 clients with leads, bookings, payments, chats)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any user exists (what `make run` uses).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Users exist already: demo data not loaded.")
        else:
            started = time.monotonic()
            report = seed_demo()
            created = ", ".join(f"{k} {v}" for k, v in report.created.items() if v) or "nothing"
            self.stdout.write(f"Demo data: created {created} ({time.monotonic() - started:.1f} s).")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/):")
        for email, password, _name, role in data.STAFF:
            self.stdout.write(f"  {role:<8} {email:<24} {password}")
