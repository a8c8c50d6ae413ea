"""`Authorization: Bearer <token>` for every endpoint except `POST /auth/token`."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from dreamland.accounts.models import User
from dreamland.api.services import api_token_authenticate


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        """The scheme in any case, spaces around the token forgiven (ninja's own splits on one
        space, so `Bearer  <token>` would be a puzzling 401)."""
        scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(raw=token)


def current_user(request: HttpRequest) -> User:
    """The user the bearer token belongs to (set by `BearerToken`)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]
