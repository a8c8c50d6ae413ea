"""30 simultaneous `POST /api/v1/bookings` for the last 10 seats, through gunicorn on PostgreSQL.

Exactly 10 get 201 and 20 get 409: the seat check holds across processes (row lock on the
departure in `booking_create`), not just threads of one process.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
from django.db import connection

from dreamland.accounts.models import Role, User
from dreamland.api.services import api_token_create
from dreamland.bookings.selectors import seats_taken
from dreamland.lib.gunicorn_server import gunicorn_server

REQUESTS = 30


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_bookings_for_ten_seats_give_ten_201_and_twenty_409(
    make_client, make_departure, make_booking
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across gunicorn workers)")
    # given: a departure with 12 seats, 2 already taken, and 30 clients wanting one seat each
    admin = User.objects.create_user(
        email="load@dreamland.test", password="load-password", name="Load", role=Role.ADMIN
    )
    token = api_token_create(user=admin)[1]
    departure = make_departure(capacity=12)
    make_booking(tour_departure=departure, num_participants=2)
    clients = [make_client() for _ in range(REQUESTS)]

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "TASKS_BACKEND": "immediate",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "concurrency-test-secret-key",
    }
    with gunicorn_server(env=env, workers=3) as base:
        start = threading.Barrier(REQUESTS)

        def book(client_id: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as http:
                start.wait(timeout=30)
                r = http.post(
                    "/api/v1/bookings",
                    json={
                        "client_id": client_id,
                        "tour_departure_id": departure.pk,
                        "num_participants": 1,
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
                return r.status_code

        # when
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            statuses = Counter(pool.map(book, [c.pk for c in clients]))

    # then
    assert statuses == Counter({201: 10, 409: 20})
    departure.refresh_from_db()
    assert seats_taken(departure) == 12
