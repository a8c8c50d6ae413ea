"""Writes of the stored settings (admins only: the views check)."""

from __future__ import annotations

from django.db import transaction

from dreamland.accounts.models import User
from dreamland.staff_settings.models import SINGLETON_ID, WorkplaceSettings


def round_robin_set(*, enabled: bool, actor: User | None = None) -> WorkplaceSettings:
    """Turn round-robin assignment of new unassigned leads on or off (overrides the env var)."""
    with transaction.atomic():
        row, _created = WorkplaceSettings.objects.update_or_create(
            pk=SINGLETON_ID, defaults={"lead_round_robin": enabled, "updated_by": actor}
        )
    return row
