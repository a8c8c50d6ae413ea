"""Authentication with lockout: the one place where a password is checked (web login and API)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.accounts.models import User, normalize_email
from dreamland.lib.changes import LEADS, reports_changed
from dreamland.lib.errors import reject_unknown_fields


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(
            _("Too many failed logins; try again after %(time)s.") % {"time": f"{until:%H:%M}"}
        )
        self.until = until


def user_authenticate(*, email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    After `LOGIN_FAILURE_LIMIT` wrong passwords in a row the account is locked for
    `LOGIN_LOCKOUT_MINUTES`: `AccountLocked` is raised even for the right password until then.
    The failure counter lives on the row, so it holds across every app-server process.
    """
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return None
    user = User.objects.filter(email__iexact=normalize_email(email)).first()
    if user is None:
        make_password(password)  # same work as a real check: the answer time tells nothing
        return None
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if user.check_password(password) and user.is_active:
        if user.failed_login_attempts or user.locked_until:
            users_unlock(users=User.objects.filter(pk=user.pk))
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


USER_EDITABLE = (
    "email",
    "name",
    "password",
    "role",
    "preferred_language",
    "preferred_currency",
    "is_active",
)


def _free_email(email: object, *, user: User | None = None) -> str:
    """`email` normalised; a field error when another user has it (in any case)."""
    normalized = normalize_email(str(email))
    taken = User.objects.filter(email__iexact=normalized)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    return normalized


def user_create(
    *, email: str, password: str, name: str, role: str = "agent", **fields: object
) -> User:
    """A new staff user; a taken email is a field error."""
    extra = {k: v for k, v in fields.items() if v is not None}
    return User.objects.create_user(
        email=_free_email(email), password=password, name=name, role=role, **extra
    )


def user_update(*, user: User, **fields: object) -> User:
    """Edit a user; `password` is hashed, nulls on required fields are refused."""
    reject_unknown_fields(fields, USER_EDITABLE)
    for name in ("email", "name", "password", "role", "is_active"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    if "email" in fields:
        fields["email"] = _free_email(fields["email"], user=user)
    password = fields.pop("password", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        user.set_password(str(password))
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save()
    if "name" in fields:
        reports_changed(LEADS)  # the agents' report names them
    return user


def user_deactivate(*, user: User) -> User:
    """Deactivate: login and API tokens stop working; leads and history keep the user."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
    return user


def users_unlock(*, users: QuerySet[User]) -> int:
    """Forget failed logins and lift the lockout (a right password does it; admins may too)."""
    return users.update(failed_login_attempts=0, locked_until=None)
