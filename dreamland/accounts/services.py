"""Authentication with lockout: the one place where a password is checked (web login and API)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dreamland.accounts.models import User


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"Too many failed logins; try again after {until:%H:%M}.")
        self.until = until


def user_authenticate(*, email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    After `LOGIN_FAILURE_LIMIT` wrong passwords in a row the account is locked for
    `LOGIN_LOCKOUT_MINUTES`: `AccountLocked` is raised even for the right password until then.
    The failure counter lives on the row, so it holds across every app-server process.
    """
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return None
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        make_password(password)  # same work as a real check: the answer time tells nothing
        return None
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if user.check_password(password) and user.is_active:
        if user.failed_login_attempts or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_login_attempts=0, locked_until=None)
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_attempts=F("failed_login_attempts") + 1)
        attempts = User.objects.values_list("failed_login_attempts", flat=True).get(pk=user.pk)
        if attempts >= settings.LOGIN_FAILURE_LIMIT:
            User.objects.filter(pk=user.pk).update(
                failed_login_attempts=0,
                locked_until=now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
            )
    return None
