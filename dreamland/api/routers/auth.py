"""Tokens: issue with email and password (same lockout as the web login), list, revoke."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import AuthenticationError

from dreamland.accounts.services import user_authenticate
from dreamland.api.access import get_or_404
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS, ErrorOut
from dreamland.api.models import ApiToken
from dreamland.api.schemas import ApiTokenOut, Id, TokenIn, TokenOut, page_schema
from dreamland.api.services import api_token_create, api_token_revoke

router = Router(tags=["auth"])
TokenPage = page_schema(ApiTokenOut, "ApiTokenPage")


@router.post("/token", auth=None, response={200: TokenOut, 429: ErrorOut, **ERRORS})
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, object]]:
    """Exchange email and password for a bearer token (shown once). Locked accounts get 429."""
    user = user_authenticate(email=payload.email, password=payload.password)
    if user is None:
        raise AuthenticationError(message=_("Wrong email or password."))
    token, raw = api_token_create(user=user, name=payload.name)
    return 200, {"token": raw, "id": token.pk, "prefix": token.prefix}


@router.get("/tokens", response={200: TokenPage, **ERRORS})
def token_list(request: HttpRequest) -> dict[str, object]:
    """Your own tokens (admins: everyone's), revoked ones included."""
    user = current_user(request)
    qs = ApiToken.objects.all() if user.is_admin else ApiToken.objects.filter(user=user)
    items = list(qs[:500])
    return {"items": items, "count": qs.count()}


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
def token_revoke(request: HttpRequest, token_id: Id) -> tuple[int, None]:
    """Revoke one of your tokens; admins may revoke anyone's."""
    user = current_user(request)
    qs = ApiToken.objects.all() if user.is_admin else ApiToken.objects.filter(user=user)
    api_token_revoke(token=get_or_404(qs, token_id))
    return 204, None
