"""`Authorization: Bearer <token>` for every endpoint except `POST /auth/token`."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from dreamland.accounts.models import User
from dreamland.api.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(raw=token)


def current_user(request: HttpRequest) -> User:
    """The user the bearer token belongs to (set by `BearerToken`)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]
