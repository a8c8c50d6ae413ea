"""Lead reads: the rules other apps ask about leads, each written once.

- `lead_open_for_client`: the client's current open lead (SPEC §2: an inbound message, a sent
  message and an import attach to it; a client has at most one we talk about).
- `lead_assignable_users`: the staff who may own a lead (active agents and managers).
"""

from __future__ import annotations

from django.db.models import QuerySet

from dreamland.accounts.models import Role, User
from dreamland.leads.models import OPEN_STATUSES, Lead

# Roles that may own a lead; admins configure the system and do not work leads.
ASSIGNABLE_ROLES = (Role.AGENT, Role.MANAGER)


def lead_open_for_client(*, client_id: int, lock: bool = False) -> Lead | None:
    """The client's most recent open lead (by `created_at`, then pk), or None.

    With `lock` the row is `SELECT … FOR UPDATE` (call inside `transaction.atomic()`): it
    serialises concurrent writers of one client's conversation on PostgreSQL.
    """
    leads = Lead.objects.filter(client_id=client_id, status__in=OPEN_STATUSES)
    if lock:
        leads = leads.select_for_update(of=("self",))
    return leads.order_by("-created_at", "-pk").first()


def lead_assignable_users() -> QuerySet[User]:
    """Staff who may own a lead: active agents and managers, by name."""
    return User.objects.filter(is_active=True, role__in=ASSIGNABLE_ROLES).order_by("name", "pk")
