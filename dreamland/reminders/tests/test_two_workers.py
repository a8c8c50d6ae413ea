"""Two workers running the same pass at the same moment send each reminder once (PostgreSQL:
threads with their own connections, many rounds)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from django.db import connection
from django.utils import timezone

from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.reminders.models import ReminderDelivery, ReminderKind
from dreamland.reminders.services import RunResult, reminders_run
from dreamland.reminders.tests.conftest import SEND_URL

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
ROUNDS = 8
WORKERS = 2


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections")


def _race() -> list[RunResult]:
    results: list[RunResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(reminders_run())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_two_workers_send_each_payment_and_trip_reminder_once(
    turn_on: Any,
    payment_template: Any,
    trip_template: Any,
    make_booking: Any,
    make_departure: Any,
) -> None:
    turn_on(ReminderKind.PAYMENT_DUE, 7, template=payment_template)
    turn_on(ReminderKind.PRE_DEPARTURE, 3, template=trip_template)
    wamids = iter(range(10**6))
    with respx.mock(assert_all_called=False) as graph:
        graph.post(SEND_URL).mock(
            side_effect=lambda request: httpx.Response(
                200,
                json={
                    "messaging_product": "whatsapp",
                    "messages": [{"id": f"wamid.reminder{next(wamids)}"}],
                },
            )
        )
        for round_ in range(ROUNDS):
            departure = make_departure(
                departure_date=timezone.localdate() + timedelta(days=1 + round_ % 3)
            )
            for _ in range(3):
                make_booking(tour_departure=departure)
            results = _race()
            sent = sum(n for r in results for n in r.sent.values())
            # each new booking is due for both kinds; the two workers share them
            assert sent == 6, (round_, [r.summary() for r in results])
        assert graph.calls.call_count == ROUNDS * 6
    bookings = ROUNDS * 3
    assert ReminderDelivery.objects.filter(kind=ReminderKind.PAYMENT_DUE).count() == bookings
    assert ReminderDelivery.objects.filter(kind=ReminderKind.PRE_DEPARTURE).count() == bookings
    outbound = Communication.objects.filter(direction=Direction.OUTBOUND)
    assert outbound.count() == bookings * 2
    assert set(outbound.values_list("whatsapp_status", flat=True)) == {WhatsAppStatus.SENT}
    assert not ReminderDelivery.objects.filter(communication__isnull=True).exists()


def test_two_workers_flag_an_unanswered_lead_once(
    make_lead: Any, message_at: Any, turn_on: Any
) -> None:
    turn_on(ReminderKind.UNANSWERED, 1, work_days="1234567")
    from datetime import time

    from dreamland.reminders.models import ReminderSetting

    ReminderSetting.objects.filter(kind=ReminderKind.UNANSWERED).update(
        work_start=time(0, 0), work_end=time(23, 59, 59)
    )
    for round_ in range(ROUNDS):
        for _ in range(3):
            message_at(make_lead(), timezone.now() - timedelta(minutes=5))
        _race()
        assert ReminderDelivery.objects.count() == (round_ + 1) * 3
