"""Inbound WhatsApp webhook throughput: the app under gunicorn vs. plain psycopg (the floor).

Both sides write the same rows per message (client find-or-create, open lead FOR UPDATE or a new
one, the communication, the lead's unread/last_message_at) at concurrency 8 on PostgreSQL. The
app runs in its production shape: gunicorn (2 workers of 8 threads) stores and acknowledges
each delivery, two Redis task workers apply them in batches. `webhook_ingest_msgs_per_s` counts
a message once it is stored in `communications` (the clock stops when the last one is), not
when its POST was answered; `webhook_ack_msgs_per_s` is the rate of the answers alone.
After a warm-up round, app and floor alternate for BENCH_WEBHOOK_ROUNDS rounds (3) of N
messages each (2,000), each on fresh numbers; rates are the rounds' medians and
`webhook_ingest_ratio` the median of each round's app rate over the floor measured right
after it (`webhook_ingest_ratio_rounds` lists them).
Everything runs on 127.0.0.1 and is bounded in count and time.

`webhook_visible_p95_ms`: during the load, a ninth client posts a message, then polls
`GET /api/v1/communications?whatsapp_message_id=` until it is there; the time from sending the
POST to reading the message, so a faster acknowledgement never hides a slower inbox.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
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
ROUNDS = int(os.environ.get("BENCH_WEBHOOK_ROUNDS", "3"))
PHONES = max(N // 3, 1)  # about two messages in three come from a returning number
SECRET = "bench_app_secret"  # noqa: S105 (a throwaway secret for a local run)
DEADLINE_S = 300
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# gthread threads per gunicorn worker. A keep-alive connection stays with the worker that
# accepted it, and one worker may hold most of the 8: with fewer threads than that, requests
# wait for a thread while the other worker idles (in one sitting: 2 workers of 4 threads
# ~685 msg/s, of 8 threads ~835).
THREADS = os.environ.get("BENCH_WEBHOOK_THREADS", "8")


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


def _probe_visible(
    base: str, token: str, prefix: str, stop: threading.Event, out: list[float]
) -> None:
    """POST one message, poll the API until it reads it back; again until `stop`."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30) as http:
        i = 0
        while not stop.is_set():
            i += 1
            raw = _body(i, "77099990000", prefix)
            wamid = f"wamid.{prefix}{i:08d}"
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


def _stored(conn: psycopg.Connection[Any], prefix: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM communications WHERE whatsapp_message_id LIKE %s",
        [f"wamid.{prefix}%"],
    ).fetchone()
    return int(row[0]) if row else 0


def _lean_client(base: str) -> Callable[[], http.client.HTTPConnection]:
    """Keep-alive connections of the standard library's HTTP client, one per load thread.

    The load stands in for Meta's servers, which do not share our cores: httpx spends about
    1.5 ms of this process's CPU per request (the same order as the server's whole answer) and
    took that from gunicorn on a 2-core machine; `http.client` spends about 0.2 ms.
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return lambda: http.client.HTTPConnection(host, int(port), timeout=30)


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, signature: str) -> None:
    conn.request(
        "POST",
        path,
        body,
        {"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    response = conn.getresponse()
    text = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {text[:200]!r}")


@dataclass
class _AppRound:
    rate: float  # messages stored per second
    ack_rate: float  # deliveries answered per second
    latencies: list[float]  # of the POSTs, seconds
    visible: list[float]  # POST sent → readable through the API, seconds
    cpu_ms: float  # per message, the whole path


def _measure_app(base: str, token: str, round_: int, *, warm_up: bool = False) -> _AppRound:
    prefix = "warmx" if warm_up else f"app{round_}x"
    phones = _phones(1 + round_, 10_000_000 + round_ * 1_000_000)
    bodies = [_body(i, phones[i], prefix) for i in range(N)]
    signatures = [sign(b, SECRET) for b in bodies]

    def work(i: int, conn: http.client.HTTPConnection) -> float:
        started = time.perf_counter()
        _post(conn, "/webhooks/whatsapp", bodies[i], signatures[i])
        return time.perf_counter() - started

    visible: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(
        target=_probe_visible, args=(base, token, f"probe{round_}x", stop, visible)
    )
    probe.start()
    try:
        with psycopg.connect(DB_URL, autocommit=True) as conn:
            cpu = _cpu_seconds()
            started = time.perf_counter()
            latencies = _run_threads(work, _lean_client(base))
            acknowledged = time.perf_counter() - started
            while _stored(conn, prefix) < N:  # the workers' backlog, if any
                if time.perf_counter() - started > DEADLINE_S:
                    stored = _stored(conn, prefix)
                    raise RuntimeError(f"only {stored} of {N} stored after {DEADLINE_S} s")
                time.sleep(0.02)
            wall = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu
    finally:
        stop.set()
        probe.join()
    return _AppRound(N / wall, N / acknowledged, latencies, visible, cpu * 1000 / N)


def _percentile_ms(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * fraction) - 1, 0)] * 1000 if ordered else float("nan")


def _measure_http_baseline(base: str) -> tuple[float, float]:
    """The same server answering the verification GET (no database): the HTTP ceiling."""
    path = "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=bench-verify&hub.challenge=1"

    def work(i: int, conn: http.client.HTTPConnection) -> float:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError("verification GET failed")
        return time.perf_counter() - started

    cpu = _cpu_seconds()
    started = time.perf_counter()
    _run_threads(work, _lean_client(base))
    return N / (time.perf_counter() - started), (_cpu_seconds() - cpu) * 1000 / N


FLOOR_OPEN = ("new", "contacted", "qualified", "quoted")


def _floor_one(conn: psycopg.Connection[Any], i: int, phone: str, prefix: str) -> None:
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
            (client_id, lead_id, f"Здравствуйте! Сообщение {i}", f"wamid.{prefix}{i:08d}", at),
        )
        if cur.fetchone() is not None:
            cur.execute(
                "UPDATE leads SET unread_messages_count = COALESCE(unread_messages_count, 0) + 1,"
                " last_message_at = GREATEST(COALESCE(last_message_at, %s), %s),"
                " updated_at = now() WHERE id = %s",
                (at, at, lead_id),
            )


def _measure_floor(round_: int) -> tuple[float, float]:
    """(messages/s, CPU ms per message) of the plain-psycopg floor."""
    phones = _phones(100 + round_, 50_000_000 + round_ * 1_000_000)
    connections = [psycopg.connect(DB_URL, autocommit=True) for _ in range(CONCURRENCY)]

    def work(i: int, state: _Unclosed) -> float:
        started = time.perf_counter()
        _floor_one(state.conn, i, phones[i], f"floor{round_}x")
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


def run() -> dict[str, float | str]:
    _fresh_database()
    env = _env()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    token = _api_token()
    redis.Redis.from_url(REDIS_URL).flushdb()
    rounds: list[_AppRound] = []
    floors: list[tuple[float, float]] = []
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
        # App and floor alternate, each round on fresh numbers: the machine's speed drifts by
        # tens of per cent within minutes, and a ratio is only fair between neighbours.
        _measure_app(base, token, ROUNDS, warm_up=True)  # first requests import, connect
        for round_ in range(ROUNDS):
            rounds.append(_measure_app(base, token, round_))
            floors.append(_measure_floor(round_))
        baseline, baseline_cpu_ms = _measure_http_baseline(base)
    with psycopg.connect(DB_URL) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM communications WHERE whatsapp_message_id LIKE 'wamid.app%%'"
        ).fetchone()
        # Table + indexes (+ TOAST) per message, and per raw event kept beside it (the floor's
        # messages have none).
        size = conn.execute(
            "SELECT pg_total_relation_size('communications')::float"
            " / greatest((SELECT count(*) FROM communications), 1)"
            " + pg_total_relation_size('whatsapp_webhook_events')::float"
            " / greatest((SELECT count(*) FROM whatsapp_webhook_events), 1)"
        ).fetchone()
    if stored is None or stored[0] != N * ROUNDS:
        raise RuntimeError(f"expected {N * ROUNDS} stored messages, found {stored}")
    ratios = [app.rate / floor for app, (floor, _) in zip(rounds, floors, strict=True)]
    cpu_ms = statistics.median(app.cpu_ms for app in rounds)
    floor_cpu_ms = statistics.median(cpu for _, cpu in floors)
    return {
        "webhook_ingest_msgs_per_s": round(statistics.median(app.rate for app in rounds), 1),
        "webhook_ack_msgs_per_s": round(statistics.median(app.ack_rate for app in rounds), 1),
        "webhook_ingest_p99_ms": round(
            _percentile_ms([t for app in rounds for t in app.latencies], 0.99), 1
        ),
        "webhook_ingest_floor_msgs_per_s": round(statistics.median(f for f, _ in floors), 1),
        # The median of the rounds' ratios (each app round against the floor measured next).
        "webhook_ingest_ratio": round(statistics.median(ratios), 3),
        "webhook_ingest_ratio_rounds": " ".join(f"{ratio:.3f}" for ratio in ratios),
        "webhook_visible_p95_ms": round(
            _percentile_ms([t for app in rounds for t in app.visible], 0.95), 1
        ),
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
