from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dreamland.bookings.models import BookingStatus
from dreamland.bookings.services import booking_cancel, booking_create, payment_create
from dreamland.bookings.tasks import complete_past_bookings

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings(make_client, make_departure):
    today = timezone.localdate()
    past = make_departure(departure_date=today - timedelta(days=1), capacity=10)
    today_dep = make_departure(departure_date=today, capacity=10)
    made = {
        "confirmed": booking_create(client=make_client(), tour_departure=past, num_participants=1),
        "paid": booking_create(client=make_client(), tour_departure=past, num_participants=1),
        "cancelled": booking_create(client=make_client(), tour_departure=past, num_participants=1),
        "today": booking_create(client=make_client(), tour_departure=today_dep, num_participants=1),
    }
    payment_create(booking=made["paid"], amount=Decimal("45000"), payment_method="cash")
    booking_cancel(booking=made["cancelled"])
    return made


def _statuses(made):
    for b in made.values():
        b.refresh_from_db()
    return {k: b.status for k, b in made.items()}


def test_the_daily_task_completes_bookings_whose_departure_has_passed(bookings):
    result = complete_past_bookings.enqueue()
    assert result.return_value == 2
    assert _statuses(bookings) == {
        "confirmed": BookingStatus.COMPLETED,
        "paid": BookingStatus.COMPLETED,
        "cancelled": BookingStatus.CANCELLED,
        "today": BookingStatus.CONFIRMED,
    }


def test_the_command_runs_it_and_a_second_run_changes_nothing(bookings):
    out = StringIO()
    call_command("complete_past_bookings", stdout=out)
    call_command("complete_past_bookings", stdout=out)
    assert out.getvalue().splitlines() == ["Completed 2 booking(s).", "Completed 0 booking(s)."]
