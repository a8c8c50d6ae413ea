"""One way to try writes and undo them: the back office's form checks and `--dry-run` commands.

    with dry_run():                     # everything written inside is rolled back at the end
        booking_create(...)             # a refusal still raises, after the rollback

    with dry_run(enabled=options["dry_run"]):   # a real run: no transaction added at all
        import_rows(...)                          # (each row keeps its own transaction)

The block runs in `transaction.atomic()` (a savepoint when already inside one) that is marked
for rollback when it ends, so nothing it wrote stays and its `transaction.on_commit` callbacks
(tasks, messages to send) never run. An exception from the block propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def dry_run(*, enabled: bool = True, using: str | None = None) -> Iterator[None]:
    """Run the block and roll back everything it wrote; with `enabled=False`, just run it."""
    if not enabled:
        yield
        return
    with transaction.atomic(using=using):
        yield
        transaction.set_rollback(True, using=using)
