"""What the base layout needs on every page: the navigation for the user's role, the unread total."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.api.access import visible_leads

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


def unread_total(user: User) -> int:
    """Unread inbound messages on the leads the user works: their own and the unassigned ones
    (managers: all). The leads with unread > 0 are few; the sum reads only them."""
    total = (
        visible_leads(user)
        .filter(unread_messages_count__gt=0)
        .aggregate(total=Sum("unread_messages_count"))["total"]
    )
    return int(total or 0)


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
