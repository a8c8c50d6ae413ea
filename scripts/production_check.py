"""The production shape, end to end on this machine (run by `.ci/run`; bounded to ~2 minutes).

Starts what the `Procfile` defines — `web` (gunicorn, 2 workers) and `worker` twice (the Redis
queue, TASKS_BACKEND=redis) — on PostgreSQL, with a local fake Graph API in Meta's formats.
Sends WhatsApp traffic (several customers at once, with re-deliveries) and an agent's reply to
each customer through the API, then checks that every message is stored once and every reply
is sent once (one POST to the Graph API each), and stops every process it started.

Environment: DATABASE_URL (a PostgreSQL database this script may drop and create) and
REDIS_URL (a Redis database it may flush). Everything binds 127.0.0.1 on free ports.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dreamland.lib.gunicorn_server import free_port  # noqa: E402
from dreamland.whatsapp.testing import message_body, sign, status_body  # noqa: E402

SECRET = "production-check-secret"  # noqa: S105 (a throwaway secret for a local run)
PHONE_NUMBER_ID = "106540352242922"
CUSTOMERS = 8
MESSAGES_EACH = 6
# The whole run, start-up included (about a minute on an idle 2-core machine).
DEADLINE_S = float(os.environ.get("PRODUCTION_CHECK_DEADLINE_S", "170"))
VENV_BIN = Path(sys.executable).parent


class FakeGraph(BaseHTTPRequestHandler):
    """`POST /v23.0/{phone_number_id}/messages` answered as Meta does; every request recorded."""

    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        wamid = "wamid.fake" + uuid.uuid4().hex
        with self.lock:
            self.sent.append({"path": self.path, "request": request, "wamid": wamid})
        body = json.dumps(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": request.get("to"), "wa_id": request.get("to")}],
                "messages": [{"id": wamid}],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    entries = [line.split(":", 1) for line in lines if re.match(r"^[a-z]+:", line)]
    return {name.strip(): command.strip() for name, command in entries}


def start(name: str, command: str, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    """One Procfile line through a shell (its ${VAR:-default}s), in its own process group."""
    log = (logs / f"{name}.log").open("wb")
    return subprocess.Popen(  # noqa: S603 (our own Procfile)
        ["/bin/sh", "-c", "exec " + command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
        text=True,
    ).stdout


def wait_until(what: str, check: Any, deadline: float) -> None:
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"production check: timed out waiting for {what}")
        time.sleep(0.2)


def post_webhook(http: httpx.Client, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    response = http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, SECRET)},
    )
    if response.status_code != 200:
        raise SystemExit(f"production check: webhook answered {response.status_code}")


def main() -> int:
    deadline = time.monotonic() + DEADLINE_S
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    admin_url, db_name = database_url.rsplit("/", 1)
    with psycopg.connect(admin_url + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    redis.Redis.from_url(redis_url).flushdb()

    graph = ThreadingHTTPServer(("127.0.0.1", 0), FakeGraph)
    threading.Thread(target=graph.serve_forever, daemon=True).start()
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TASKS_BACKEND": "redis",
        "SECRET_KEY": "production-check-" + "k" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": "production-check",
        "WHATSAPP_ACCESS_TOKEN": "production-check-token",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE": f"http://127.0.0.1:{graph.server_address[1]}/v23.0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "4",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    processes = procfile()
    logs = ROOT / "var" / "production-check"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "release.log").open("wb") as log:
        subprocess.run(  # noqa: S603 (our own Procfile)
            ["/bin/sh", "-c", "exec " + processes["release"]],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=DEADLINE_S,
        )
    code = (
        "from dreamland.accounts.models import User, Role; "
        "from dreamland.api.services import api_token_create; "
        "u = User.objects.create_user(email='ci@dreamland.test', password='ci-password-1', "
        "name='CI', role=Role.ADMIN); print(api_token_create(user=u)[1])"
    )
    token = manage(env, "shell", "-c", code).strip().splitlines()[-1]
    started: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: Any) -> None:
        stop(started)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        started.append(start("web", processes["web"], env, logs))
        started += [start(f"worker{i}", processes["worker"], env, logs) for i in (1, 2)]
        base = f"http://127.0.0.1:{port}"

        def web_up() -> bool:
            try:
                return httpx.get(base + "/webhooks/whatsapp", timeout=5).status_code == 403
            except httpx.TransportError:
                return False

        wait_until("gunicorn", web_up, deadline)
        phones = [f"7701777{n:04d}" for n in range(CUSTOMERS)]
        bodies = [
            message_body(
                {
                    "id": f"wamid.ci.{p}.{i}",
                    "timestamp": str(int(time.time()) - 60 + i),  # inside the 24-hour window
                    "type": "text",
                    "text": {"body": f"Сообщение {i}"},
                },
                wa_id=p,
                name=f"Клиент {p[-4:]}",
            )
            for i in range(MESSAGES_EACH)
            for p in phones
        ]
        redelivered = bodies[:: MESSAGES_EACH // 2]  # Meta delivers some twice
        with ThreadPoolExecutor(max_workers=8) as pool:
            clients = [httpx.Client(base_url=base, timeout=60) for _ in range(8)]
            list(
                pool.map(
                    lambda ib: post_webhook(clients[ib[0] % 8], ib[1]),
                    enumerate(bodies + redelivered),
                )
            )
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
            client_ids: list[int] = []

            def customers_stored() -> bool:
                # The workers apply deliveries after the 200: wait for every customer.
                found = http.get("/api/v1/clients", params={"limit": 100}).json()["items"]
                client_ids[:] = [c["id"] for c in found if c["phone"].lstrip("+") in phones]
                return len(client_ids) == CUSTOMERS

            wait_until("every customer to be stored", customers_stored, deadline)
            for client_id in client_ids:
                reply = http.post(
                    f"/api/v1/clients/{client_id}/messages", json={"body": "Здравствуйте!"}
                )
                if reply.status_code != 202:
                    raise SystemExit(
                        f"production check: reply answered {reply.status_code}: {reply.text[:300]}"
                    )
        wait_until("the replies to be sent", lambda: len(FakeGraph.sent) >= CUSTOMERS, deadline)
        with ThreadPoolExecutor(max_workers=4) as pool, httpx.Client(base_url=base) as http:
            list(
                pool.map(
                    lambda s: post_webhook(http, status_body(s["wamid"], "delivered")),
                    list(FakeGraph.sent),
                )
            )
        time.sleep(2)  # a duplicate send would show up by now
        with psycopg.connect(database_url) as conn:
            stored = conn.execute(
                "SELECT count(*), count(DISTINCT whatsapp_message_id) FROM communications "
                "WHERE direction = 'inbound'"
            ).fetchone()
            outbound = conn.execute(
                "SELECT whatsapp_status, count(*) FROM communications "
                "WHERE direction = 'outbound' GROUP BY 1"
            ).fetchall()
            unread = conn.execute("SELECT sum(unread_messages_count) FROM leads").fetchone()
            failed = conn.execute(
                "SELECT count(*) FROM whatsapp_webhook_events WHERE status = 'failed'"
            ).fetchone()
        sends = Counter(s["request"].get("to") for s in FakeGraph.sent)
        expected = CUSTOMERS * MESSAGES_EACH
        problems = []
        if stored != (expected, expected):
            problems.append(f"inbound rows {stored}, expected {expected} distinct")
        if unread is None or unread[0] != expected:
            problems.append(f"unread {unread}, expected {expected}")
        if dict(outbound) != {"delivered": CUSTOMERS}:
            problems.append(f"outbound {dict(outbound)}, expected {CUSTOMERS} delivered")
        if (
            len(client_ids) != CUSTOMERS
            or sorted(sends) != sorted(phones)
            or set(sends.values()) != {1}
        ):
            problems.append(f"Graph API sends per number {dict(sends)}: expected one each")
        if failed is None or failed[0]:
            problems.append(f"{failed} failed webhook events")
        print(
            f"production check: {expected} messages (+{len(redelivered)} re-delivered) stored "
            f"{stored[0] if stored else '?'}, {len(FakeGraph.sent)} replies sent, "
            f"outbound {dict(outbound)}, web 2 workers + 2 task workers (redis)"
        )
        for problem in problems:
            print("production check FAILED:", problem, file=sys.stderr)
        if problems:
            for path in sorted(logs.glob("*.log")):
                print(f"--- {path.name}", file=sys.stderr)
                print(path.read_text(errors="replace")[-3000:], file=sys.stderr)
        return 1 if problems else 0
    finally:
        stop(started)
        graph.shutdown()


if __name__ == "__main__":
    sys.exit(main())
