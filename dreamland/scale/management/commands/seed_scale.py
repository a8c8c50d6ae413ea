"""`manage.py seed_scale`: the PostgreSQL data set `make bench` times pages on (SPEC §6)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from dreamland.clients.models import Client
from dreamland.scale.seed import SCALE_PASSWORD, ScaleSize, seed_scale


class Command(BaseCommand):
    help = (
        "Load 100k clients, 200k leads, 1M communications and 20k bookings (PostgreSQL only). "
        "Refuses a database that already has clients unless --add is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default = ScaleSize()
        parser.add_argument("--clients", type=int, default=default.clients)
        parser.add_argument("--leads", type=int, default=default.leads)
        parser.add_argument("--communications", type=int, default=default.communications)
        parser.add_argument("--bookings", type=int, default=default.bookings)
        parser.add_argument(
            "--long-conversations",
            default=",".join(map(str, default.heavy)),
            help="Messages of each long conversation (the bench opens the longest), e.g. 5200,6000.",
        )
        parser.add_argument(
            "--add", action="store_true", help="Add the data set to a database that has clients."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale needs PostgreSQL (it loads with COPY); set DATABASE_URL to a "
                "postgres:// database."
            )
        size = ScaleSize(
            clients=options["clients"],
            leads=options["leads"],
            communications=options["communications"],
            bookings=options["bookings"],
            heavy=tuple(int(n) for n in options["long_conversations"].split(",") if n.strip()),
        )
        if min(size.clients, size.leads, size.communications, size.bookings) < 0 or (
            size.leads < size.clients or size.communications < size.leads + sum(size.heavy)
        ):
            raise CommandError(
                "Sizes: leads >= clients (every client has a lead) and communications >= "
                f"leads + {sum(size.heavy):,} (the long conversations)."
            )
        if Client.objects.exists() and not options["add"]:
            raise CommandError(
                "This database already has clients; pass --add to add the scale data set to it."
            )
        started = time.monotonic()
        report = seed_scale(size)
        for name, n in report.created.items():
            self.stdout.write(f"{name}: {n}")
        self.stdout.write(
            f"Log in as agent1@scale.test or manager1@scale.test, password {SCALE_PASSWORD}; "
            f"clients with 5k+ messages: {', '.join(map(str, report.heavy_client_ids))}."
        )
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")
