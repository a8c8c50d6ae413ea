"""Pages and API lists at scale: 100k clients, 200k leads, 1M messages, through gunicorn.

On the seed_scale database (`BENCH_SCALE_DB`, default `dreamland_scale`: created, migrated and
seeded when absent or empty — about 4 minutes — reused when it holds the scale data set), a
gunicorn with 2 workers on a free 127.0.0.1 port serves the site. The bench logs in through
`/login/` as an agent and as a manager (session cookie; the API with a bearer token) and times
50 sequential requests per URL after one warm-up, printing p50 and p95 in ms of the whole round
trip: `page_inbox_p50_ms`, … for the agent, the same with `_manager` for the manager. A page
that is not there yet prints `page_x: missing (404)`. `page_bare_view` is a view returning a
constant on the same server in the same run: the floor of any page. Without PostgreSQL it says
so and times nothing.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg

from dreamland.lib.gunicorn_server import gunicorn_server

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_SCALE_DB", "dreamland_scale")
DB_URL = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
REQUESTS = 50
AGENT = "agent1@scale.test"
MANAGER = "manager1@scale.test"
PASSWORD = "scale-password-1"  # noqa: S105 (dreamland.scale.seed.SCALE_PASSWORD)
NAME = "Иванова"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "dreamland.scale.bench_settings",
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "TASKS_BACKEND": "immediate",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _manage(*args: str) -> None:
    subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=_env(), check=True
    )


def _prepare() -> dict[str, str] | None:
    """The database ready, and what the URLs need (ids, a phone); None without PostgreSQL."""
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"scale_pages: skipped, PostgreSQL is not reachable at {PG_ADMIN} ({exc})")
        return None
    with admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            print(f"# reusing database {DB_NAME}", flush=True)
        else:
            admin.execute(f'CREATE DATABASE "{DB_NAME}"')
            print(f"# created database {DB_NAME}", flush=True)
    _manage("migrate", "--noinput", "-v", "0")
    _manage("collectstatic", "--noinput", "-v", "0")  # as a deploy does: pages name hashed files
    # autocommit: an open transaction here would hold a lock on clients that seed_scale's index
    # changes wait for, for ever
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM clients LIMIT 1").fetchone():
            started = time.monotonic()
            print("# seeding: manage.py seed_scale", flush=True)
            _manage("seed_scale")
            print(f"seed_scale_s: {time.monotonic() - started:.0f}", flush=True)
        elif not conn.execute("SELECT 1 FROM users WHERE email = %s", [AGENT]).fetchone():
            print(f"scale_pages: skipped, {DB_NAME} has clients but not the seed_scale data set")
            return None
        row = conn.execute(
            "SELECT m.client_id, COUNT(*) FROM communications m WHERE m.client_id IN "
            "(SELECT l.client_id FROM leads l JOIN users u ON u.id = l.assigned_agent_id "
            "WHERE u.email = %s) GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
            [AGENT],
        ).fetchone()
        assert row is not None
        phone = conn.execute("SELECT phone FROM clients WHERE id = %s", [row[0]]).fetchone()
        assert phone is not None
    print(f"# conversation: client {row[0]} with {row[1]} messages", flush=True)
    return {"client": str(row[0]), "phone": str(phone[0])}


def _login(base: str, email: str) -> tuple[httpx.Client | None, httpx.Client]:
    """A session through /login/ (None when that page is not there yet) and a bearer client."""
    token = httpx.post(
        f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=30
    ).json()["token"]
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    web = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    form = web.get("/login/")
    if form.status_code == 404:
        print("login: missing (404), pages are timed once /login/ exists")
        return None, api
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    csrf = match.group(1) if match else web.cookies.get("csrftoken", "")
    done = web.post(
        "/login/",
        data={"email": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/login/"},
    )
    if "sessionid" not in web.cookies:
        print(f"login: failed for {email} (status {done.status_code}), pages are not timed")
        return None, api
    return web, api


def _time(client: httpx.Client | None, url: str, base: str) -> tuple[float, float] | str:
    if client is None:  # no session: a page that is not there yet still says 404
        status = httpx.get(base + url, timeout=30).status_code
        return "missing (404)" if status == 404 else f"not timed (no session; {status})"
    try:
        first = client.get(url)  # warm-up: connection, worker caches
    except httpx.TimeoutException:
        return "timeout (over 30 s)"
    if first.status_code == 404:
        return "missing (404)"
    if first.status_code != 200:
        return f"error ({first.status_code})"
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if r.status_code != 200:
            return f"error ({r.status_code})"
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def run() -> dict[str, object]:
    ids = _prepare()
    if ids is None:
        return {}
    client, phone, name = ids["client"], quote(ids["phone"]), quote(NAME)
    pages = {
        "page_inbox": "/inbox/",
        "page_conversation": f"/inbox/{client}/",
        "page_board": "/pipeline/",
        "page_client_card": f"/clients/{client}/",
        "page_search_phone": f"/clients/?q={phone}",
        "page_search_name": f"/clients/?q={name}",
        "page_reports": "/reports/",
    }
    apis = {
        "api_leads_list": "/api/v1/leads?limit=50",
        "api_communications_list": "/api/v1/communications?limit=50",
        "api_clients_list": "/api/v1/clients?limit=50",
        "api_clients_name_search": f"/api/v1/clients?name={name}&limit=50",
        "api_leads_offset_100k": "/api/v1/leads?limit=50&offset=100000",
        "api_clients_name_no_match": "/api/v1/clients?name=Zzyzx&limit=50",
    }
    figures: dict[str, object] = {}
    # ready when the bare view answers (the OpenAPI document can take over the probe's 2 s on a
    # busy machine); a generous start-up: importing the app there takes tens of seconds
    with gunicorn_server(
        env=_env(), workers=2, ready_path="/bench/bare/", start_timeout=300
    ) as base:
        for suffix, email in (("", AGENT), ("_manager", MANAGER)):
            web, api = _login(base, email)
            urls = [(k, web, u) for k, u in pages.items()] + [(k, api, u) for k, u in apis.items()]
            for key, http, path in urls:
                result = _time(http, path, base)
                print(f"# {key}{suffix}: {result}", file=sys.stderr, flush=True)
                if isinstance(result, str):
                    figures[f"{key}{suffix}"] = result
                    continue
                figures[f"{key}{suffix}_p50_ms"] = round(result[0], 1)
                figures[f"{key}{suffix}_p95_ms"] = round(result[1], 1)
            api.close()
            if web is not None:
                web.close()
        with httpx.Client(base_url=base, timeout=30) as anon:
            result = _time(anon, "/bench/bare/", base)
        if isinstance(result, str):
            figures["page_bare_view"] = result
        else:
            figures["page_bare_view_p50_ms"] = round(result[0], 1)
            figures["page_bare_view_p95_ms"] = round(result[1], 1)
    return figures
