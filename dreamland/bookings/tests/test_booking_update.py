from __future__ import annotations

from decimal import Decimal

import pytest

from dreamland.bookings.models import BookingStatus
from dreamland.bookings.selectors import seats_taken
from dreamland.bookings.services import (
    NoSeatsLeft,
    booking_cancel,
    booking_create,
    booking_update,
    payment_create,
)
from dreamland.lib.errors import RuleViolation

pytestmark = pytest.mark.django_db


def test_resizing_recomputes_a_default_total(make_client, make_departure):
    departure = make_departure(price=Decimal("10000"), capacity=10)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    booking = booking_update(booking=booking, num_participants=5)
    assert booking.num_participants == 5
    assert booking.total_amount == Decimal("50000.00")
    assert seats_taken(departure) == 5


def test_resizing_keeps_a_negotiated_total(make_client, make_departure):
    departure = make_departure(price=Decimal("10000"), capacity=10)
    booking = booking_create(
        client=make_client(),
        tour_departure=departure,
        num_participants=2,
        total_amount=Decimal("15000"),
    )
    booking = booking_update(booking=booking, num_participants=3)
    assert booking.total_amount == Decimal("15000.00")


def test_resizing_beyond_the_seats_left_is_refused_and_changes_nothing(make_client, make_departure):
    departure = make_departure(capacity=4)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    with pytest.raises(NoSeatsLeft, match=r"Only 3 seats left on .*; 4 requested") as exc:
        booking_update(booking=booking, num_participants=4)
    assert exc.value.code == "no_seats"
    booking.refresh_from_db()
    assert booking.num_participants == 2
    assert seats_taken(departure) == 3


def test_resizing_within_its_own_seats_is_fine_on_a_full_departure(make_client, make_departure):
    departure = make_departure(capacity=3)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=3)
    booking = booking_update(booking=booking, num_participants=2)
    assert seats_taken(departure) == 2


def test_moving_to_another_departure_checks_its_seats_and_reprices(
    make_client, make_tour, make_departure
):
    tour = make_tour(base_price=Decimal("1000"), capacity=10)
    old = make_departure(tour=tour)
    new = make_departure(tour=tour, price=Decimal("2000"), currency="USD", capacity=2)
    booking = booking_create(client=make_client(), tour_departure=old, num_participants=2)
    booking = booking_update(booking=booking, tour_departure=new)
    assert booking.tour_departure_id == new.pk
    assert booking.total_amount == Decimal("4000.00")
    assert booking.currency == "USD"
    assert seats_taken(old) == 0
    assert seats_taken(new) == 2
    other = booking_create(client=make_client(), tour_departure=old, num_participants=1)
    with pytest.raises(NoSeatsLeft) as exc:
        booking_update(booking=other, tour_departure=new)
    assert exc.value.code == "no_seats"
    other.refresh_from_db()
    assert other.tour_departure_id == old.pk


def test_a_cancelled_booking_cannot_be_changed(make_client, make_departure):
    booking = booking_create(
        client=make_client(), tour_departure=make_departure(), num_participants=1
    )
    booking_cancel(booking=booking)
    with pytest.raises(RuleViolation, match="cancelled booking cannot be changed") as exc:
        booking_update(booking=booking, num_participants=2)
    assert exc.value.code == "booking_closed"
    booking.refresh_from_db()
    assert (booking.num_participants, booking.status) == (1, BookingStatus.CANCELLED)


def test_raising_the_total_above_the_payments_makes_a_paid_booking_confirmed_again(
    make_client, make_departure
):
    departure = make_departure(price=Decimal("1000"), capacity=10)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    payment_create(booking=booking, amount=Decimal("1000"), payment_method="cash")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    booking = booking_update(booking=booking, num_participants=2)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.total_amount == Decimal("2000.00")


def test_cancelling_frees_the_seats_and_twice_is_harmless(make_client, make_departure):
    departure = make_departure(capacity=2)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    booking_cancel(booking=booking)
    booking = booking_cancel(booking=booking)
    assert booking.status == BookingStatus.CANCELLED
    assert seats_taken(departure) == 0
    booking_create(client=make_client(), tour_departure=departure, num_participants=2)


def test_a_completed_booking_cannot_be_cancelled(make_client, make_departure):
    booking = booking_create(
        client=make_client(), tour_departure=make_departure(), num_participants=1
    )
    type(booking).objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    with pytest.raises(RuleViolation, match="completed booking cannot be cancelled") as exc:
        booking_cancel(booking=booking)
    assert exc.value.code == "booking_closed"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
