"""`manage.py import_clients FILE [--dry-run]`: clients and leads from CSV or XLSX (SPEC §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from dreamland.imports.reader import ImportFileError
from dreamland.imports.services import import_clients


class Command(BaseCommand):
    help = (
        "Import clients and leads from a CSV (comma, semicolon or tab; UTF-8, Windows-1251 or "
        "UTF-16) or XLSX file with columns name, phone, email, preferred_language, notes, "
        "tour_interest, status (or their Russian names: ФИО, Телефон, Почта, Язык, Комментарий, "
        "Тур, Статус). Exit status 0 when every row was imported or matched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")

    @no_translations  # console output stays English, whatever the site language
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_clients(path=options["file"], dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        for line in report.rejected:
            self.stdout.write(line)
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{report.summary()}")
        if not report.ok:
            raise CommandError(f"{len(report.rejected)} row(s) rejected", returncode=1)
