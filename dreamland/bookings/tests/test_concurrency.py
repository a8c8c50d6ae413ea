"""Twenty people try to book the last five seats at once: exactly five get them."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from dreamland.bookings.selectors import seats_taken
from dreamland.bookings.services import booking_create, booking_update
from dreamland.bookings.tests.threads import run_together, threaded_db
from dreamland.clients.models import Client
from dreamland.lib.errors import DomainError
from dreamland.tours.models import Tour, TourDeparture

__all__ = ["threaded_db"]
pytestmark = pytest.mark.usefixtures("threaded_db")


def _code(exc: Exception) -> str:
    return exc.code if isinstance(exc, DomainError) else f"error: {exc!r}"


def test_only_the_last_five_seats_are_sold_to_twenty_simultaneous_buyers() -> None:
    tour = Tour.objects.create(name="Charyn Canyon", capacity=25, base_price=45000)
    departure = TourDeparture.objects.create(tour=tour, departure_date="2026-12-01")
    group = Client.objects.create(name="Group", phone="+77010000999")
    booking_create(client=group, tour_departure=departure, num_participants=20)
    clients = [
        Client.objects.create(name=f"Racer {i}", phone=f"+770100001{i:02d}") for i in range(20)
    ]

    outcomes = run_together(
        [
            partial(booking_create, client=c, tour_departure=departure, num_participants=1)
            for c in clients
        ],
        _code,
    )

    assert outcomes == Counter({"ok": 5, "no_seats": 15})
    assert seats_taken(departure) == departure.effective_capacity == 25


def test_moves_in_opposite_directions_at_once_do_not_deadlock() -> None:
    tour = Tour.objects.create(name="Kolsai", capacity=40, base_price=100)
    a = TourDeparture.objects.create(tour=tour, departure_date="2026-12-01")
    b = TourDeparture.objects.create(tour=tour, departure_date="2026-12-08")
    client = Client.objects.create(name="Mover", phone="+77010000777")
    on_a = [booking_create(client=client, tour_departure=a, num_participants=1) for _ in range(8)]
    on_b = [booking_create(client=client, tour_departure=b, num_participants=1) for _ in range(8)]

    outcomes = run_together(
        [partial(booking_update, booking=bk, tour_departure=b, num_participants=2) for bk in on_a]
        + [
            partial(booking_update, booking=bk, tour_departure=a, num_participants=2) for bk in on_b
        ],
        _code,
    )

    assert outcomes == Counter({"ok": 16})
    assert seats_taken(a) == seats_taken(b) == 16
