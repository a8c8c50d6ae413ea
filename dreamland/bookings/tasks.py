"""Background jobs of bookings.

`complete_past_bookings` runs daily. With the database task backend schedule it from cron,
e.g. `5 0 * * * cd /srv/dreamland && .venv/bin/python manage.py complete_past_bookings`
(the command runs it in-process; `--enqueue` hands it to the worker instead).
"""

from __future__ import annotations

from django.tasks import task

from dreamland.bookings.services import bookings_complete_past


@task(queue_name="default")
def complete_past_bookings() -> int:
    """Confirmed/paid bookings whose departure date has passed become `completed`."""
    return bookings_complete_past()
