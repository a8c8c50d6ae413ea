"""`dry_run` undoes what its block wrote, lets refusals through, and is a no-op when disabled."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dreamland.clients.models import Client
from dreamland.lib.dryrun import dry_run

pytestmark = pytest.mark.django_db


def test_writes_inside_a_dry_run_are_rolled_back_and_on_commit_never_runs(
    django_capture_on_commit_callbacks: Any,
) -> None:
    ran: list[str] = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with dry_run():
            Client.objects.create(name="Maria", phone="+77012345670")
            transaction.on_commit(lambda: ran.append("sent"))
            assert Client.objects.count() == 1
        transaction.on_commit(lambda: ran.append("after"))
    assert Client.objects.count() == 0
    assert ran == ["after"] and len(callbacks) == 1


def test_a_refusal_inside_a_dry_run_propagates_after_the_rollback() -> None:
    with pytest.raises(ValueError, match="refused"), dry_run():
        Client.objects.create(name="Maria", phone="+77012345670")
        raise ValueError("refused")
    assert Client.objects.count() == 0


def test_a_disabled_dry_run_writes() -> None:
    with dry_run(enabled=False):
        Client.objects.create(name="Maria", phone="+77012345670")
    assert Client.objects.count() == 1
