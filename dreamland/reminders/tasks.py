"""The reminders job for the task worker: `manage.py send_reminders --enqueue` hands one pass
to it. The schedule itself is `manage.py send_reminders --every 60` (started by `make run`)
or a cron line running `manage.py send_reminders` each minute; see the README "Reminders"."""

from __future__ import annotations

from django.tasks import task

from dreamland.reminders.services import reminders_run


@task(queue_name="default")
def reminders_pass() -> str:
    """One pass over every reminder kind that is on (idempotent: each reminder once)."""
    return reminders_run().summary()
