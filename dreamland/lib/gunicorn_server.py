"""Run the app under gunicorn on 127.0.0.1, and its Redis task workers, for load tests and
benchmarks (never on another host)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn_server(
    *,
    env: Mapping[str, str],
    workers: int = 2,
    threads: int = 1,
    ready_path: str = "/api/v1/openapi.json",
    start_timeout: float = 60,
) -> Iterator[str]:
    """Start `gunicorn dreamland.wsgi`, wait until `ready_path` answers, yield its base URL.

    The server is stopped when the block ends, whatever happens in it.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "gunicorn", "dreamland.wsgi:application"]
    argv += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    argv += ["--timeout", "60", "--log-level", "warning"]
    if threads > 1:
        # Threads let a worker overlap its database round trips.
        argv += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(argv, cwd=REPO, env=dict(env))  # noqa: S603 (fixed argv)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                httpx.get(base + ready_path, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start within {start_timeout:.0f} s"
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        _stop([server])


@contextmanager
def rq_workers(*, env: Mapping[str, str], count: int = 2) -> Iterator[None]:
    """Start `count` Redis task workers (`manage.py rq_worker`, the Procfile's `worker`) with
    `env` (TASKS_BACKEND=redis and its REDIS_URL); they are stopped when the block ends."""
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "rq_worker"],
            cwd=REPO,
            env=dict(env),
            stdout=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield
    finally:
        _stop(workers)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to all, then wait for each (a warm shutdown); SIGKILL what outlives 15 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
