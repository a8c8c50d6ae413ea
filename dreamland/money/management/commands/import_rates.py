"""`manage.py import_rates FILE`: the National Bank of Kazakhstan daily rates XML.

Fetch e.g. https://nationalbank.kz/rss/get_rates.cfm?fdate=25.11.2026 and pass the saved file
(or `-` for standard input). A bad file exits non-zero with one line and writes nothing.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from dreamland.money.services import RatesFileInvalid, exchange_rates_import_nbk


class Command(BaseCommand):
    help = "Import the National Bank of Kazakhstan daily exchange rates XML (USD, EUR, RUB)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the NBK rates XML, or - for stdin")

    @no_translations  # console output stays English, whatever the site language
    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                content = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as fh:
                    content = fh.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            rates = exchange_rates_import_nbk(content=content)
        except RatesFileInvalid as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        for r in rates:
            self.stdout.write(f"{r.date.isoformat()} {r.currency} {r.rate}")
        self.stdout.write(f"Imported {len(rates)} rate(s).")
