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
