"""Login by email with lockout, for django.contrib.auth (admin login, web login)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dreamland.accounts.models import User
from dreamland.accounts.services import AccountLocked, user_authenticate


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username or kwargs.get("email")
        try:
            return user_authenticate(email=email or "", password=password or "")
        except AccountLocked:
            # PermissionDenied stops Django from trying other backends: a locked account stays
            # locked whatever the password.
            raise PermissionDenied from None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))
