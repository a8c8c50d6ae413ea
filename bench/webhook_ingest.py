"""Inbound WhatsApp webhook throughput: the app under gunicorn vs. plain psycopg (the floor).

Both sides write the same rows per message (client find-or-create, open lead FOR UPDATE or a new
one, the communication, the lead's unread/last_message_at) at concurrency 8 on PostgreSQL. The
app runs in its production shape: gunicorn (2 workers) stores and acknowledges each delivery,
two Redis task workers apply them in batches. `webhook_ingest_msgs_per_s` counts a message once
it is stored in `communications` (the clock stops when the last one is), not when its POST was
answered; `webhook_ack_msgs_per_s` is the rate of the answers alone.
Everything runs on 127.0.0.1 and is bounded in count and time.

`webhook_visible_p95_ms`: during the load, a ninth client posts a message, then polls
`GET /api/v1/communications?whatsapp_message_id=` until it is there; the time from sending the
POST to reading the message, so a faster acknowledgement never hides a slower inbox.
"""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from dreamland.lib.gunicorn_server import gunicorn_server, rq_workers
from dreamland.whatsapp.testing import message_body, sign

# Thousands of requests: httpx's INFO line per request would flood the bench's stdout.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_WEBHOOK_DB", "dreamland_bench_webhook")
DB_URL = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
N = int(os.environ.get("BENCH_WEBHOOK_N", "2000"))
CONCURRENCY = 8
PHONES = max(N // 3, 1)  # about two messages in three come from a returning number
SECRET = "bench_app_secret"  # noqa: S105 (a throwaway secret for a local run)
DEADLINE_S = 300
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
THREADS = os.environ.get("BENCH_WEBHOOK_THREADS", "4")


def _fresh_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_ACCESS_TOKEN": "",
        "WHATSAPP_PHONE_NUMBER_ID": "",
        "TASKS_BACKEND": "redis",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _body(i: int, phone: str, prefix: str) -> bytes:
    message = {
        "id": f"wamid.{prefix}{i:08d}",
        "timestamp": str(1718000000 + i),
        "type": "text",
        "text": {"body": f"Здравствуйте! Сообщение {i}"},
    }
    return json.dumps(message_body(message, wa_id=phone, name=f"Клиент {phone[-4:]}")).encode()


def _phones(seed: int, base: int) -> list[str]:
    rng = random.Random(seed)
    return [f"770{base + rng.randrange(PHONES):08d}" for _ in range(N)]


def _run_threads(work: Callable[[int, Any], float], make_state: Callable[[], Any]) -> list[float]:
    """Run work(i, state) for i in 0..N-1 on CONCURRENCY threads; returns per-item latencies."""
    latencies: list[float] = [0.0] * N
    lock = threading.Lock()
    next_index = [0]
    errors: list[BaseException] = []
    stop_at = time.monotonic() + DEADLINE_S

    def worker() -> None:
        state = make_state()
        try:
            while time.monotonic() < stop_at:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= N:
                    return
                latencies[i] = work(i, state)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close = getattr(state, "close", None)
            if close:
                close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return latencies


def _api_token() -> str:
    """An admin's API token in the bench database (through the app's own service)."""
    code = (
        "from dreamland.accounts.models import User, Role; "
        "from dreamland.api.services import api_token_create; "
        "u = User.objects.create_user(email='bench@dreamland.test', password='bench-pass-1', "
        "name='Bench', role=Role.ADMIN); print(api_token_create(user=u)[1])"
    )
    out = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_env(),
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _probe_visible(base: str, token: str, stop: threading.Event, out: list[float]) -> None:
    """POST one message, poll the API until it reads it back; again until `stop`."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30) as http:
        i = 0
        while not stop.is_set():
            i += 1
            raw = _body(i, "77099990000", "probe")
            wamid = f"wamid.probe{i:08d}"
            started = time.perf_counter()
            response = http.post(
                "/webhooks/whatsapp",
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, SECRET),
                },
            )
            if response.status_code != 200:
                raise RuntimeError(f"probe HTTP {response.status_code}")
            while True:
                found = http.get(
                    "/api/v1/communications",
                    params={"whatsapp_message_id": wamid, "limit": 1},
                    headers=headers,
                )
                if found.status_code == 200 and found.json()["count"] == 1:
                    break
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{wamid} not visible after 30 s")
                time.sleep(0.05)  # polls gently: the probe must not load the server itself
            out.append(time.perf_counter() - started)
            time.sleep(0.2)


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds() -> float:
    """CPU time (user + system) of everything that works for one side of the comparison: this
    process (the load's client), the app's processes (gunicorn, the task workers: children of
    this process) and PostgreSQL's backends serving the bench database. Unlike a rate, it does
    not depend on what else the machine is doing at the time."""
    total = 0.0
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                stat = stat_file.read()
            with open(f"/proc/{entry}/cmdline", "rb") as cmd_file:
                cmdline = cmd_file.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        pid, ppid = int(entry), int(fields[1])
        ours = pid == me or _descends(ppid, me) or DB_NAME.encode() in cmdline
        if ours:
            total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def _descends(pid: int, ancestor: int) -> bool:
    for _ in range(8):
        if pid in (0, 1):
            return False
        if pid == ancestor:
            return True
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat_file:
                stat = stat_file.read()
        except OSError:
            return False
        pid = int(stat[stat.rindex(b")") + 2 :].split()[1])
    return False


def _stored(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "SELECT count(*) FROM communications WHERE whatsapp_message_id LIKE 'wamid.app%%'"
    ).fetchone()
    return int(row[0]) if row else 0


def _measure_app(base: str, token: str) -> tuple[float, float, float, float, float]:
    phones = _phones(1, 1_000_000)
    bodies = [_body(i, phones[i], "app") for i in range(N)]
    signatures = [sign(b, SECRET) for b in bodies]
    url = f"{base}/webhooks/whatsapp"

    def work(i: int, http: httpx.Client) -> float:
        started = time.perf_counter()
        response = http.post(
            url,
            content=bodies[i],
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signatures[i]},
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        return elapsed

    visible: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_probe_visible, args=(base, token, stop, visible))
    probe.start()
    try:
        with psycopg.connect(DB_URL, autocommit=True) as conn:
            cpu = _cpu_seconds()
            started = time.perf_counter()
            latencies = _run_threads(work, lambda: httpx.Client(timeout=30))
            acknowledged = time.perf_counter() - started
            while _stored(conn) < N:  # the workers' backlog, if any
                if time.perf_counter() - started > DEADLINE_S:
                    raise RuntimeError(f"only {_stored(conn)} of {N} stored after {DEADLINE_S} s")
                time.sleep(0.02)
            wall = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu
    finally:
        stop.set()
        probe.join()
    latencies.sort()
    visible.sort()
    visible_p95 = visible[max(int(len(visible) * 0.95) - 1, 0)] * 1000 if visible else float("nan")
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return N / wall, N / acknowledged, p99, visible_p95, cpu * 1000 / N


def _measure_http_baseline(base: str) -> tuple[float, float]:
    """The same server answering the verification GET (no database): the HTTP ceiling."""
    url = (
        f"{base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=bench-verify&hub.challenge=1"
    )

    def work(i: int, http: httpx.Client) -> float:
        started = time.perf_counter()
        if http.get(url).status_code != 200:
            raise RuntimeError("verification GET failed")
        return time.perf_counter() - started

    cpu = _cpu_seconds()
    started = time.perf_counter()
    _run_threads(work, lambda: httpx.Client(timeout=30))
    return N / (time.perf_counter() - started), (_cpu_seconds() - cpu) * 1000 / N


FLOOR_OPEN = ("new", "contacted", "qualified", "quoted")


def _floor_one(conn: psycopg.Connection[Any], i: int, phone: str) -> None:
    e164 = "+" + phone
    at = datetime.fromtimestamp(1718000000 + i, tz=UTC)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "INSERT INTO clients (name, phone) VALUES (%s, %s) ON CONFLICT (phone) DO NOTHING "
            "RETURNING id",
            (f"Клиент {phone[-4:]}", e164),
        )
        row = cur.fetchone()
        if row is None:
            cur.execute("SELECT id FROM clients WHERE phone = %s", (e164,))
            row = cur.fetchone()
        assert row is not None
        client_id = row[0]
        cur.execute(
            "SELECT id FROM leads WHERE client_id = %s AND status = ANY(%s) "
            "ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE",
            (client_id, list(FLOOR_OPEN)),
        )
        row = cur.fetchone()
        if row is None:
            cur.execute(
                "INSERT INTO leads (client_id, status, source, unread_messages_count) "
                "VALUES (%s, 'new', 'whatsapp', 0) RETURNING id",
                (client_id,),
            )
            row = cur.fetchone()
        assert row is not None
        lead_id = row[0]
        cur.execute(
            "INSERT INTO communications (client_id, lead_id, communication_type, direction, body,"
            " whatsapp_message_id, whatsapp_status, message_type, created_at, updated_at)"
            " VALUES (%s, %s, 'whatsapp', 'inbound', %s, %s, 'received', 'text', %s, now())"
            " ON CONFLICT (whatsapp_message_id) DO NOTHING RETURNING id",
            (client_id, lead_id, f"Здравствуйте! Сообщение {i}", f"wamid.floor{i:08d}", at),
        )
        if cur.fetchone() is not None:
            cur.execute(
                "UPDATE leads SET unread_messages_count = COALESCE(unread_messages_count, 0) + 1,"
                " last_message_at = GREATEST(COALESCE(last_message_at, %s), %s),"
                " updated_at = now() WHERE id = %s",
                (at, at, lead_id),
            )


def _measure_floor() -> tuple[float, float]:
    """(messages/s, CPU ms per message) of the plain-psycopg floor."""
    phones = _phones(2, 2_000_000)
    connections = [psycopg.connect(DB_URL, autocommit=True) for _ in range(CONCURRENCY)]

    def work(i: int, state: _Unclosed) -> float:
        started = time.perf_counter()
        _floor_one(state.conn, i, phones[i])
        return time.perf_counter() - started

    try:
        cpu = _cpu_seconds()
        started = time.perf_counter()
        # The connections stay open until the CPU is read: a closed backend's time is gone.
        _run_threads(work, lambda: _Unclosed(connections.pop()))
        rate = N / (time.perf_counter() - started)
        cpu = _cpu_seconds() - cpu
    finally:
        for conn in connections:
            conn.close()
    return rate, cpu * 1000 / N


class _Unclosed:
    """A connection handed to a worker thread, closed by the caller rather than the thread."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn


def run() -> dict[str, float]:
    _fresh_database()
    env = _env()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    # Threads let each worker overlap database round trips (the work is mostly waiting on
    # PostgreSQL), as the floor's 8 connections do.
    token = _api_token()
    redis.Redis.from_url(REDIS_URL).flushdb()
    with (
        rq_workers(env=env, count=2),
        gunicorn_server(
            env=env,
            workers=2,
            threads=int(THREADS),
            ready_path="/webhooks/whatsapp",
            start_timeout=240,  # a loaded shared machine starts Django slowly
        ) as base,
    ):
        rate, ack_rate, p99, visible_p95, cpu_ms = _measure_app(base, token)
        baseline, baseline_cpu_ms = _measure_http_baseline(base)
    with psycopg.connect(DB_URL) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM communications WHERE whatsapp_message_id LIKE 'wamid.app%%'"
        ).fetchone()
        # Table + indexes (+ TOAST) of the messages and the raw events kept beside them.
        size = conn.execute(
            "SELECT (pg_total_relation_size('communications')"
            " + pg_total_relation_size('whatsapp_webhook_events'))::float"
            " / greatest((SELECT count(*) FROM communications), 1)"
        ).fetchone()
    if stored is None or stored[0] != N:
        raise RuntimeError(f"expected {N} stored messages, found {stored}")
    floor, floor_cpu_ms = _measure_floor()
    return {
        "webhook_ingest_msgs_per_s": round(rate, 1),
        "webhook_ack_msgs_per_s": round(ack_rate, 1),
        "webhook_ingest_p99_ms": round(p99, 1),
        "webhook_ingest_floor_msgs_per_s": round(floor, 1),
        "webhook_ingest_ratio": round(rate / floor, 3),
        "webhook_visible_p95_ms": round(visible_p95, 1),
        # Sizing: database bytes per stored message (its row, its raw event, their indexes).
        "webhook_db_bytes_per_msg": round(size[0]) if size else 0,
        # CPU of the whole path per message (the load's client, the app's processes, PostgreSQL's
        # backends): steadier than a rate on a busy machine.
        "webhook_ingest_cpu_ms_per_msg": round(cpu_ms, 2),
        "webhook_ingest_floor_cpu_ms_per_msg": round(floor_cpu_ms, 2),
        "webhook_ingest_cpu_ratio": round(floor_cpu_ms / cpu_ms, 3) if cpu_ms else 0.0,
        # Context: the same gunicorn answering a database-free GET, at the same concurrency.
        "webhook_ingest_http_baseline_req_per_s": round(baseline, 1),
        "webhook_ingest_http_baseline_cpu_ms_per_req": round(baseline_cpu_ms, 2),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
