"""Test helpers for code that runs in several threads at once (the seat race).

PostgreSQL: each thread opens its own connection to the test database, nothing to do.
SQLite: the default test database is shared-cache memory, where a second writer fails at once
with "database table is locked" instead of waiting. `threaded_db` copies the migrated, empty
in-memory test database into a file for the test's duration, so every thread (main included)
talks to one file and waits on SQLite's lock like production does. The global test settings
stay untouched (in-memory: fast, and immune to a request handler closing the connection).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from django.db import connection, connections


@pytest.fixture
def threaded_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    original.ensure_connection()
    path = tmp_path / "threads.sqlite3"
    target = sqlite3.connect(path)
    try:
        original.connection.backup(target)
    finally:
        target.close()
    settings_dict = original.settings_dict  # shared with the wrappers new threads create
    in_memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    connections["default"] = original.__class__(settings_dict, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original
        settings_dict["NAME"] = in_memory_name


def run_together(
    jobs: Sequence[Callable[[], object]], classify: Callable[[Exception], str]
) -> Counter[str]:
    """Start every job at the same moment in its own thread; count outcomes ("ok" or classified).

    Each thread closes its database connection at the end.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            try:
                job()
                result = "ok"
            except Exception as exc:
                result = classify(exc)
            with lock:
                outcomes[result] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes
