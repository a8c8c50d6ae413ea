"""`manage.py replay_webhooks`: re-process stored webhook events (failed ones by default)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from dreamland.whatsapp.inbound import event_run
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tasks import webhook_event_schedule_retry


def _since(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since {value!r} is not a date or datetime (YYYY-MM-DD[THH:MM])")
        parsed = datetime.combine(day, time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Re-process stored WhatsApp webhook events: failed ones, or those chosen by id/date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", dest="ids", type=int, nargs="+", help="Event ids to replay.")
        parser.add_argument("--since", help="Only events received at or after this date/time.")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Every event, whatever its status (safe: wamids dedupe).",
        )
        parser.add_argument(
            "--status",
            choices=EventStatus.values,
            help="Events in this status (default: failed; unmatched to retry after a client gets a BSUID).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        events = WebhookEvent.objects.order_by("received_at", "pk")
        if options["ids"]:
            events = events.filter(pk__in=options["ids"])
            missing = set(options["ids"]) - set(events.values_list("pk", flat=True))
            if missing:
                raise CommandError(
                    f"No webhook event with id {', '.join(map(str, sorted(missing)))}"
                )
        elif options["status"] == EventStatus.UNMATCHED:
            # Also processed events with an unmatched message among matched ones.
            events = events.filter(Q(status=EventStatus.UNMATCHED) | Q(unmatched_messages__gt=0))
        elif not options["all"]:
            events = events.filter(status=options["status"] or EventStatus.FAILED)
        if options["since"]:
            events = events.filter(received_at__gte=_since(options["since"]))
        results: Counter[str] = Counter()
        for event in events.iterator():
            event_run(event=event)
            results[event.status] += 1
            if event.status == EventStatus.FAILED:
                webhook_event_schedule_retry(event)
                self.stderr.write(f"event #{event.pk} failed again: {event.last_error}")
        total = sum(results.values())
        summary = ", ".join(f"{status} {count}" for status, count in sorted(results.items()))
        self.stdout.write(f"Replayed {total} event(s)" + (f": {summary}" if summary else "."))
