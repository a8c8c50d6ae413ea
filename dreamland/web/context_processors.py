"""What the base layout needs on every page: the navigation for the user's role, the unread total."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.leads.models import Lead

# (path, label, who sees it). The paths are SPEC §6's; every role works in these pages.
NAVIGATION = (
    ("/inbox/", _("Inbox"), "all"),
    ("/pipeline/", _("Pipeline"), "all"),
    ("/clients/", _("Clients"), "all"),
    ("/tours/", _("Tours"), "all"),
    ("/bookings/", _("Bookings"), "all"),
    ("/reminders/", _("Reminders"), "all"),
    ("/reports/", _("Reports"), "all"),
    ("/settings/", _("Settings"), "manager"),
)


# Unread on the leads a user works (`visible_leads`: an agent's own and the unassigned ones;
# managers and admins all), written out: it runs on every page, where the ORM spent ~1 ms of
# CPU building the aggregate. Each SUM is a range of the partial index leads_unread_agent_idx
# (assigned_agent_id, unread_messages_count) WHERE unread_messages_count > 0, read index-only;
# the agent's OR as one filter walked every unread lead's entry (15k), two ranges read ~3.5k.
_UNREAD = "SELECT SUM(unread_messages_count) FROM {leads} WHERE unread_messages_count > 0"
_UNREAD_AGENT = (
    "SELECT COALESCE(({q} AND assigned_agent_id = %s), 0)"
    " + COALESCE(({q} AND assigned_agent_id IS NULL), 0)"
)


def unread_total(user: User) -> int:
    """Unread inbound messages on the leads the user works: their own and the unassigned ones
    (managers: all); the same leads as `visible_leads(user)` (pinned by a test)."""
    query = _UNREAD.format(leads=connection.ops.quote_name(Lead._meta.db_table))
    with connection.cursor() as cursor:
        if user.is_manager:
            cursor.execute(query)
        else:
            cursor.execute(_UNREAD_AGENT.format(q=query), [user.pk])
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def workplace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    path = request.path
    nav = [
        {"path": href, "label": label, "active": path.startswith(href)}
        for href, label, who in NAVIGATION
        if who == "all" or user.is_manager
    ]
    return {
        "nav": nav,
        "unread_total": SimpleLazyObject(lambda: unread_total(user)),
    }
