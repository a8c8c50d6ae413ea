from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dreamland.bookings.capacity import departure_update, tour_update
from dreamland.bookings.selectors import occupancy, seats_left
from dreamland.bookings.services import booking_create
from dreamland.lib.errors import Conflict
from dreamland.tours.services import departure_create, tour_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tour():
    return tour_create(name="Big Almaty Lake", base_price=Decimal("25000"), capacity=10)


def test_tours_and_departures_are_created_with_validation(tour):
    departure = departure_create(tour=tour, departure_date=date(2026, 12, 1))
    assert departure.effective_capacity == 10
    with pytest.raises(ValidationError) as exc:
        departure_create(tour=tour, departure_date=date(2026, 12, 2), price=Decimal("-1"))
    assert "price" in exc.value.message_dict


def test_a_departures_capacity_cannot_drop_below_its_seats_taken(tour, make_client):
    departure = departure_create(tour=tour, departure_date=date(2026, 12, 1), capacity=8)
    booking_create(client=make_client(), tour_departure=departure, num_participants=6)
    with pytest.raises(Conflict) as exc:
        departure_update(departure=departure, capacity=5)
    assert exc.value.code == "capacity_below_booked"
    assert (
        str(exc.value)
        == "Capacity 5 is below the 6 seats already booked on Big Almaty Lake, 2026-12-01."
    )
    departure.refresh_from_db()
    assert departure.capacity == 8
    departure = departure_update(departure=departure, capacity=6)
    assert seats_left(departure) == 0
    assert occupancy(departure) == Decimal("1")


def test_lowering_a_tours_capacity_checks_the_departures_that_inherit_it(tour, make_client):
    inheriting = departure_create(tour=tour, departure_date=date(2026, 12, 1))
    own = departure_create(tour=tour, departure_date=date(2026, 12, 8), capacity=20)
    booking_create(client=make_client(), tour_departure=inheriting, num_participants=7)
    booking_create(client=make_client(), tour_departure=own, num_participants=15)
    with pytest.raises(Conflict, match="Capacity 6 is below the 7 seats") as exc:
        tour_update(tour=tour, capacity=6)
    assert exc.value.code == "capacity_below_booked"
    tour.refresh_from_db()
    assert tour.capacity == 10
    assert tour_update(tour=tour, capacity=7).capacity == 7


def test_unknown_fields_are_refused(tour):
    with pytest.raises(ValidationError):
        tour_update(tour=tour, seats=3)
