"""Reads of the stored settings."""

from __future__ import annotations

from django.conf import settings

from dreamland.staff_settings.models import SINGLETON_ID, WorkplaceSettings


def round_robin_enabled() -> bool:
    """Whether new unassigned leads go round-robin to active agents: the admin's stored choice,
    else the `LEAD_ROUND_ROBIN` environment setting (one indexed read)."""
    stored = (
        WorkplaceSettings.objects.filter(pk=SINGLETON_ID)
        .values_list("lead_round_robin", flat=True)
        .first()
    )
    return bool(settings.LEAD_ROUND_ROBIN) if stored is None else stored
