from __future__ import annotations

from decimal import Decimal

import pytest

from dreamland.bookings.models import BookingStatus
from dreamland.bookings.selectors import seats_left, seats_taken
from dreamland.bookings.services import NoSeatsLeft, booking_create

pytestmark = pytest.mark.django_db


def test_it_prices_from_the_departure_times_participants(make_client, make_departure):
    departure = make_departure(price=Decimal("30000"), currency="USD", capacity=10)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=3)
    assert booking.total_amount == Decimal("90000.00")
    assert booking.currency == "USD"
    assert booking.status == BookingStatus.CONFIRMED


def test_it_falls_back_to_the_tour_price_currency_and_capacity(make_client, make_tour, make_departure):
    tour = make_tour(base_price=Decimal("45000"), currency="KZT", capacity=4)
    departure = make_departure(tour=tour)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    assert booking.total_amount == Decimal("90000.00")
    assert booking.currency == "KZT"
    assert seats_taken(departure) == 2
    assert seats_left(departure) == 2


def test_it_refuses_more_than_the_seats_left_with_a_clear_message(make_client, make_tour, make_departure):
    tour = make_tour(name="Charyn Canyon", capacity=20)
    departure = make_departure(tour=tour, capacity=5)
    booking_create(client=make_client(), tour_departure=departure, num_participants=3)
    with pytest.raises(NoSeatsLeft) as exc:
        booking_create(client=make_client(), tour_departure=departure, num_participants=3)
    assert exc.value.code == "no_seats"
    assert exc.value.status_code == 409
    assert str(exc.value) == (
        f"Only 2 seats left on Charyn Canyon, {departure.departure_date}; 3 requested."
    )
    assert seats_taken(departure) == 3
