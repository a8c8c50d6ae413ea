from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import seats_left, seats_taken
from dreamland.bookings.services import NoSeatsLeft, booking_create

pytestmark = pytest.mark.django_db


def test_it_prices_from_the_departure_times_participants(make_client, make_departure):
    departure = make_departure(price=Decimal("30000"), currency="USD", capacity=10)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=3)
    assert booking.total_amount == Decimal("90000.00")
    assert booking.currency == "USD"
    assert booking.status == BookingStatus.CONFIRMED


def test_it_falls_back_to_the_tour_price_currency_and_capacity(
    make_client, make_tour, make_departure
):
    tour = make_tour(base_price=Decimal("45000"), currency="KZT", capacity=4)
    departure = make_departure(tour=tour)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    assert booking.total_amount == Decimal("90000.00")
    assert booking.currency == "KZT"
    assert seats_taken(departure) == 2
    assert seats_left(departure) == 2


def test_it_refuses_more_than_the_seats_left_with_a_clear_message(
    make_client, make_tour, make_departure
):
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


def test_it_says_no_seats_left_when_the_departure_is_full(make_client, make_tour, make_departure):
    departure = make_departure(tour=make_tour(name="Kolsai Lakes"), capacity=1)
    booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    with pytest.raises(NoSeatsLeft, match=r"^No seats left on Kolsai Lakes, ") as exc:
        booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    assert (exc.value.code, exc.value.field) == ("no_seats", "num_participants")
    assert seats_taken(departure) == 1


def test_a_departure_without_any_capacity_sells_nothing(make_client, make_tour, make_departure):
    departure = make_departure(tour=make_tour(capacity=None))
    with pytest.raises(NoSeatsLeft) as exc:
        booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    assert exc.value.code == "no_seats"
    assert seats_taken(departure) == 0


def test_it_keeps_an_explicit_total_and_currency(make_client, make_departure):
    departure = make_departure(price=Decimal("100"))
    booking = booking_create(
        client=make_client(),
        tour_departure=departure,
        num_participants=2,
        total_amount=Decimal("150.555"),
        currency="EUR",
    )
    assert booking.total_amount == Decimal("150.56")
    assert booking.currency == "EUR"


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, None, True])
def test_it_refuses_a_participant_count_that_is_not_a_positive_whole_number(
    make_client, make_departure, bad
):
    departure = make_departure()
    with pytest.raises(ValidationError) as exc:
        booking_create(client=make_client(), tour_departure=departure, num_participants=bad)
    assert "num_participants" in exc.value.message_dict
    assert seats_taken(departure) == 0


def test_it_asks_for_a_total_when_nothing_has_a_price(make_client, make_tour, make_departure):
    departure = make_departure(tour=make_tour(base_price=None))
    with pytest.raises(ValidationError) as exc:
        booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    assert "total_amount" in exc.value.message_dict
    assert not Booking.objects.exists()


def test_it_refuses_an_unknown_currency(make_client, make_departure):
    with pytest.raises(ValidationError):
        booking_create(
            client=make_client(),
            tour_departure=make_departure(),
            num_participants=1,
            currency="GBP",
        )
    assert not Booking.objects.exists()
