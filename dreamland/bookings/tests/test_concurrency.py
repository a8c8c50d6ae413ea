"""Twenty people try to book the last five seats at once: exactly five get them."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from dreamland.bookings.selectors import seats_taken
from dreamland.bookings.services import NoSeatsLeft, booking_create
from dreamland.clients.models import Client
from dreamland.tours.models import Tour, TourDeparture

THREADS = 20


def _race(departure: TourDeparture, clients: list[Client]) -> Counter[str]:
    barrier = threading.Barrier(len(clients))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def book(client: Client) -> None:
        try:
            barrier.wait()
            try:
                booking_create(client=client, tour_departure=departure, num_participants=1)
                result = "booked"
            except NoSeatsLeft as exc:
                result = exc.code
            except Exception as exc:  # counted, so the test says what went wrong
                result = f"error: {exc!r}"
            with lock:
                outcomes[result] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_only_the_last_five_seats_are_sold_to_twenty_simultaneous_buyers() -> None:
    tour = Tour.objects.create(name="Charyn Canyon", capacity=25, base_price=45000)
    departure = TourDeparture.objects.create(tour=tour, departure_date="2026-12-01")
    first = Client.objects.create(name="Group", phone="+77010000999")
    booking_create(client=first, tour_departure=departure, num_participants=20)
    clients = [
        Client.objects.create(name=f"Racer {i}", phone=f"+770100001{i:02d}") for i in range(THREADS)
    ]

    outcomes = _race(departure, clients)

    assert outcomes == Counter({"booked": 5, "no_seats": 15})
    assert seats_taken(departure) == departure.effective_capacity == 25


@pytest.mark.django_db(transaction=True)
def test_moves_in_opposite_directions_at_once_do_not_deadlock() -> None:
    from dreamland.bookings.services import booking_update

    tour = Tour.objects.create(name="Kolsai", capacity=40, base_price=100)
    a = TourDeparture.objects.create(tour=tour, departure_date="2026-12-01")
    b = TourDeparture.objects.create(tour=tour, departure_date="2026-12-08")
    client = Client.objects.create(name="Mover", phone="+77010000777")
    on_a = [booking_create(client=client, tour_departure=a, num_participants=1) for _ in range(8)]
    on_b = [booking_create(client=client, tour_departure=b, num_participants=1) for _ in range(8)]
    barrier = threading.Barrier(16)
    errors: list[Exception] = []

    def move(booking, target) -> None:
        try:
            barrier.wait()
            booking_update(booking=booking, tour_departure=target, num_participants=2)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(bk, b)) for bk in on_a]
    threads += [threading.Thread(target=move, args=(bk, a)) for bk in on_b]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert seats_taken(a) == seats_taken(b) == 16
