"""REST API seat safety and latency: 30 concurrent `POST /api/v1/bookings` for the last 10 seats.

gunicorn with 3 workers on PostgreSQL (a fresh database), 127.0.0.1 only, bounded in time. The
figures: how many got 201 and 409 (must be 10 and 20), seats oversold (must be 0), and the
median and worst latency of those requests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

from dreamland.lib.gunicorn_server import gunicorn_server

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_API_DB", "dreamland_bench_api")
DB_URL = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
REQUESTS = 30
SEATS_LEFT = 10

SEED = """
import json
from dreamland.accounts.models import Role, User
from dreamland.api.services import api_token_create
from dreamland.bookings.models import Booking
from dreamland.clients.models import Client
from dreamland.tours.models import Tour, TourDeparture
admin = User.objects.create_user(email="bench@dreamland.test", password="bench-password-1", name="Bench", role=Role.ADMIN)
tour = Tour.objects.create(name="Kolsai Lakes", base_price=45000, currency="KZT", capacity=40)
dep = TourDeparture.objects.create(tour=tour, departure_date="2030-06-01", capacity=__SEATS__ + 2)
first = Client.objects.create(name="Early bird", phone="+77010000001")
Booking.objects.create(client=first, tour_departure=dep, num_participants=2, total_amount=90000, currency="KZT")
clients = [Client.objects.create(name=f"Bench {i}", phone=f"+7702{i:07d}").pk for i in range(__N__)]
print(json.dumps({"token": api_token_create(user=admin)[1], "departure": dep.pk, "clients": clients}))
"""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "TASKS_BACKEND": "immediate",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONN_MAX_AGE": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run() -> dict[str, object]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = _env()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    seed = SEED.replace("__SEATS__", str(SEATS_LEFT)).replace("__N__", str(REQUESTS))
    out = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", seed],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])

    with gunicorn_server(env=env, workers=3) as base:
        barrier = threading.Barrier(REQUESTS)
        headers = {"Authorization": f"Bearer {data['token']}"}

        def book(client_id: int) -> tuple[int, float]:
            with httpx.Client(base_url=base, timeout=60) as http:
                barrier.wait(timeout=30)
                started = time.perf_counter()
                r = http.post(
                    "/api/v1/bookings",
                    json={
                        "client_id": client_id,
                        "tour_departure_id": data["departure"],
                        "num_participants": 1,
                    },
                    headers=headers,
                )
                return r.status_code, (time.perf_counter() - started) * 1000

        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            results = list(pool.map(book, data["clients"]))
    with psycopg.connect(DB_URL) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(num_participants), 0) FROM bookings WHERE tour_departure_id = %s"
            " AND status <> 'cancelled'",
            (data["departure"],),
        ).fetchone()
    taken = int(row[0]) if row else 0
    latencies = [ms for _, ms in results]
    return {
        "api_bookings_created": sum(1 for s, _ in results if s == 201),
        "api_bookings_conflicts": sum(1 for s, _ in results if s == 409),
        "api_bookings_other_status": sum(1 for s, _ in results if s not in (201, 409)),
        "api_bookings_oversold_seats": max(taken - (SEATS_LEFT + 2), 0),
        "api_bookings_p50_ms": f"{statistics.median(latencies):.1f} ms",
        "api_bookings_max_ms": f"{max(latencies):.1f} ms",
    }
