"""Booking write path: sequential bookings/s, and the seat race under contention.

Runs against `BENCH_DATABASE_URL` (default: PostgreSQL database `dreamland_bench` on
127.0.0.1:5432, created and migrated when missing). Rows it makes are deleted at the end.
"""

from __future__ import annotations

import os
import threading
import time
from decimal import Decimal
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dreamland_bench"


def _setup() -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dreamland.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')  # name from our own env
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run() -> dict[str, Any]:
    _setup()
    from django.db import connection

    from dreamland.bookings.models import Booking, Payment
    from dreamland.bookings.selectors import booking_money
    from dreamland.bookings.services import NoSeatsLeft, booking_create, payment_create
    from dreamland.clients.models import Client
    from dreamland.tours.models import Tour, TourDeparture

    stamp = time.time_ns() % 10**7
    tour = Tour.objects.create(name="Bench tour", base_price=Decimal("45000"), capacity=100_000)
    departure = TourDeparture.objects.create(tour=tour, departure_date="2030-01-01")
    client = Client.objects.create(name="Bench", phone=f"+7709{stamp:07d}")
    try:
        n = 300
        started = time.perf_counter()
        bookings = [
            booking_create(client=client, tour_departure=departure, num_participants=1)
            for _ in range(n)
        ]
        sequential = n / (time.perf_counter() - started)

        started = time.perf_counter()
        for b in bookings[:100]:
            payment_create(booking=b, amount=Decimal("45000"), payment_method="cash")
        payments = 100 / (time.perf_counter() - started)

        started = time.perf_counter()
        for b in bookings[:100]:
            booking_money(b)
        money_ms = (time.perf_counter() - started) * 1000 / 100

        race = TourDeparture.objects.create(tour=tour, departure_date="2030-01-02", capacity=200)
        threads_n, per_thread = 8, 40
        sold: list[int] = []
        lock = threading.Lock()

        def buyer() -> None:
            mine = 0
            try:
                for _ in range(per_thread):
                    try:
                        booking_create(client=client, tour_departure=race, num_participants=1)
                        mine += 1
                    except NoSeatsLeft:
                        pass
            finally:
                connection.close()
                with lock:
                    sold.append(mine)

        threads = [threading.Thread(target=buyer) for _ in range(threads_n)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        contended = threads_n * per_thread / (time.perf_counter() - started)
        oversold = sum(sold) - 200
        return {
            "booking_create_per_s": round(sequential, 1),
            "payment_create_per_s": round(payments, 1),
            "booking_money_ms": round(money_ms, 2),
            "booking_race_attempts_per_s_8_threads": round(contended, 1),
            "booking_race_oversold": oversold,
        }
    finally:
        Payment.objects.filter(booking__client=client).delete()
        Booking.objects.filter(client=client).delete()
        TourDeparture.objects.filter(tour=tour).delete()
        tour.delete()
        client.delete()
