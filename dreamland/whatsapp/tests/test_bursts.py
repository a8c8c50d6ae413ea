"""Bursts of one customer through gunicorn on PostgreSQL: they queue on the conversation lock.

Twenty simultaneous first messages of a new customer once deadlocked (row locks on `clients` and
`leads` taken after another transaction's foreign-key check); a failed event then reached the
inbox only when its retry ran. Here the production shape — gunicorn with 4 workers storing the
deliveries, two Redis task workers applying them in batches at the same time — stores every
burst, with no failed event.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import redis
from django.db import connection
from django.utils import timezone

from dreamland.accounts.models import Role, User
from dreamland.api.services import api_token_create
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.lib.gunicorn_server import gunicorn_server, rq_workers
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.testing import message_body, sign, status_body
from dreamland.whatsapp.tests.helpers import APP_SECRET

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
BURST = 20
ROUNDS = 10


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: gunicorn workers sharing the test database")


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


REDIS_URL = os.environ.get("BURST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def server() -> Iterator[str]:
    """gunicorn, 4 workers of 5 threads (all 20 requests of a burst at once), and two task
    workers on Redis applying what they store."""
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"needs Redis at {REDIS_URL}")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        # Sends go to a closed port: the reply is retried later and stays pending.
        "TASKS_BACKEND": "redis",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "burst-test-secret-key-" + "x" * 30,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "burst-token",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WHATSAPP_API_BASE": "http://127.0.0.1:9/v23.0",
        "LOG_LEVEL": "WARNING",
    }
    with (
        rq_workers(env=env, count=2),
        gunicorn_server(
            env=env, workers=4, threads=5, ready_path="/webhooks/whatsapp", start_timeout=180
        ) as base,
    ):
        yield base


def _applied(count: int) -> None:
    """Wait until `count` events are stored and none is waiting for a worker (at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        events = WebhookEvent.objects.all()
        if events.count() >= count and not events.filter(status=EventStatus.RECEIVED).exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"events still waiting after 60 s: {list(events.values('status'))}")


def _post(http: httpx.Client, body: dict[str, Any]) -> int:
    raw = json.dumps(body).encode()
    response = http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, APP_SECRET)},
    )
    return response.status_code


def _all_at_once(server: str, calls: list[Any]) -> list[int]:
    """Run every call(http) at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> int:
        with httpx.Client(base_url=server, timeout=60) as http:
            barrier.wait(timeout=30)
            return int(call(http))

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_simultaneous_messages_of_a_new_customer_ten_times_over(server: str) -> None:
    for round_no in range(ROUNDS):
        wa_id = f"7701555{round_no:04d}"
        bodies = [
            message_body(
                {
                    "id": f"wamid.burst{round_no}.{i}",
                    "timestamp": str(1718000000 + i),
                    "type": "text",
                    "text": {"body": f"Сообщение {i}"},
                },
                wa_id=wa_id,
                name="Новый клиент",
            )
            for i in range(BURST)
        ]
        statuses = _all_at_once(server, [lambda http, b=b: _post(http, b) for b in bodies])
        assert statuses == [200] * BURST, f"round {round_no}"
        _applied(BURST * (round_no + 1))
        client = Client.objects.get(phone="+" + wa_id)
        lead = Lead.objects.get(client=client)
        assert Communication.objects.filter(client=client).count() == BURST, f"round {round_no}"
        assert lead.unread_messages_count == BURST, f"round {round_no}"
        assert not WebhookEvent.objects.filter(status=EventStatus.FAILED).exists(), (
            WebhookEvent.objects.filter(status=EventStatus.FAILED).values_list(
                "last_error", flat=True
            )[:1]
        )


def test_inbound_messages_statuses_and_an_agents_reply_at_once_for_one_client(
    server: str,
) -> None:
    # given: a client who wrote an hour ago, with an open lead and two of our messages sent
    manager = User.objects.create_user(
        email="burst@dreamland.test", password="burst-password", name="Burst", role=Role.MANAGER
    )
    token = api_token_create(user=manager)[1]
    client = Client.objects.create(name="Айгерим", phone="+77015550000")
    lead = Lead.objects.create(client=client, status="contacted", unread_messages_count=0)
    Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction=Direction.INBOUND,
        body="Здравствуйте",
        whatsapp_message_id="wamid.mixed.first",
        whatsapp_status=WhatsAppStatus.RECEIVED,
        created_at=timezone.now() - timedelta(hours=1),
    )
    sent = [
        Communication.objects.create(
            client=client,
            lead=lead,
            communication_type="whatsapp",
            direction=Direction.OUTBOUND,
            body=f"Ответ {i}",
            whatsapp_message_id=f"wamid.mixed.out{i}",
            whatsapp_status=WhatsAppStatus.SENT,
        )
        for i in range(2)
    ]
    inbound = [
        message_body(
            {"id": f"wamid.mixed.in{i}", "type": "text", "text": {"body": f"Вопрос {i}"}},
            wa_id="77015550000",
        )
        for i in range(10)
    ]
    receipts = [
        status_body(comm.whatsapp_message_id or "", state, timestamp=str(1718000100 + n))
        for comm in sent
        for n, state in enumerate(("delivered", "read"))
    ]

    def reply(http: httpx.Client) -> int:
        return http.post(
            f"/api/v1/clients/{client.pk}/messages",
            json={"body": "Да, места есть."},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code

    # when: everything at the same moment
    calls: list[Any] = [lambda http, b=b: _post(http, b) for b in inbound + receipts]
    statuses = _all_at_once(server, [*calls, reply])

    # then: every message stored once, every receipt applied, the reply queued once
    assert statuses[:-1] == [200] * len(calls)
    assert statuses[-1] == 202
    _applied(len(calls))
    inbound_rows = Communication.objects.filter(client=client, direction=Direction.INBOUND)
    assert inbound_rows.count() == 11
    lead.refresh_from_db()
    assert lead.unread_messages_count == 10
    for comm in sent:
        comm.refresh_from_db()
        assert comm.whatsapp_status == WhatsAppStatus.READ
    reply_rows = Communication.objects.filter(
        client=client, direction=Direction.OUTBOUND, whatsapp_status=WhatsAppStatus.PENDING
    )
    assert [(r.body, r.lead_id) for r in reply_rows] == [("Да, места есть.", lead.pk)]
    assert not WebhookEvent.objects.filter(status=EventStatus.FAILED).exists()
