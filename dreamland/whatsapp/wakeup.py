"""Waking the workers when a delivery is stored, at no cost to the webhook request.

With PostgreSQL and the Redis task backend (production), the webhook's INSERT also sends a
NOTIFY on `CHANNEL`, which PostgreSQL delivers when the INSERT commits; every `rq_worker` keeps
a connection listening (`listen`, a thread started with the worker) and, for each run of
notifications, asks for a processing task (`tasks.webhook_events_kick`: one queued task per
burst). The request itself then makes one round trip, its INSERT, where a Redis round trip of
its own cost about a tenth of the web process's CPU per delivery. Elsewhere (SQLite, the
database queue, the immediate backend) the request asks for processing itself.

Nothing is lost when nobody listens: a listener kicks once when it (re)connects, and the task
claims every event still `received`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

logger = logging.getLogger(__name__)

CHANNEL = "dreamland_whatsapp_events"
# After a notification, how long the listener lets more arrive before it kicks: a burst of
# deliveries then costs the worker one Redis round trip, not one each (the task waits longer
# than this for its batch to gather anyway).
_COLLECT_S = 0.025
_RECONNECT_S = 1.0


def notified_by_the_database() -> bool:
    """Whether the stored event's INSERT wakes the workers itself (PostgreSQL + Redis queue)."""
    return connection.vendor == "postgresql" and settings.TASKS_BACKEND == "redis"


def listen(stop: threading.Event) -> None:
    """Until `stop` is set: LISTEN on a connection of its own, kick once (for what was stored
    while no worker listened), then kick after each run of notifications; reconnect after a
    lost connection or a Redis error."""
    from dreamland.whatsapp.tasks import webhook_events_kick  # tasks → inbound → this module

    while not stop.is_set():
        db = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            db.ensure_connection()
            raw = db.connection
            raw.execute(f"LISTEN {CHANNEL}")
            webhook_events_kick()
            while not stop.is_set():
                notified = False
                for _ in raw.notifies(timeout=1.0, stop_after=1):
                    notified = True
                if not notified:
                    continue
                stop.wait(_COLLECT_S)
                for _ in raw.notifies(timeout=0):  # the rest of the burst: one kick serves all
                    pass
                webhook_events_kick()
        except Exception:
            logger.exception("WhatsApp events listener failed; reconnecting")
            stop.wait(_RECONNECT_S)
        finally:
            db.close()


def start_listener(**_: Any) -> None:
    """Receiver of `rq_tasks.worker_starting`: a daemon thread running `listen`, so it ends
    with the worker's process."""
    if not notified_by_the_database():
        return
    thread = threading.Thread(
        target=listen, args=(threading.Event(),), name="whatsapp-events-listener", daemon=True
    )
    thread.start()
