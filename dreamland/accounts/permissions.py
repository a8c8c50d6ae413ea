"""Who may do what in the back office (SPEC §4), decided by the user's role.

Admins manage everything. Managers run the business (clients, leads, bookings, payments,
communications, tours) but do not manage users, templates or exchange rates. Agents work in the
agent UI and the API, not in the back office.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dreamland.accounts.models import User

ADMIN_ONLY_MODELS = {
    "accounts.user",
    "messaging.whatsapptemplate",
    "money.exchangerate",
    "api.apitoken",
    "django_tasks_db.dbtaskresult",
}
MANAGER_APPS = {"clients", "leads", "bookings", "messaging", "tours", "money", "whatsapp"}


def role_has_perm(user: User, perm: str) -> bool:
    if not user.is_active:
        return False
    if user.is_admin:
        return True
    if not user.is_manager:
        return False
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    if app_label not in MANAGER_APPS:
        return False
    if f"{app_label}.{model}" in ADMIN_ONLY_MODELS:
        return action == "view"
    return True


def role_has_module_perms(user: User, app_label: str) -> bool:
    if not user.is_active:
        return False
    return user.is_admin or (user.is_manager and app_label in MANAGER_APPS)
