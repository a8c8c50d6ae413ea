"""/users: everyone reads (assignee pickers); admins create, edit and deactivate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from dreamland.accounts.models import User
from dreamland.accounts.services import user_create, user_deactivate, user_update
from dreamland.api.access import get_or_404, require_admin
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import Id, RoleCode, UserIn, UserOut, UserPatch, body_fields, page_schema

router = Router(tags=["users"])
UserPage = page_schema(UserOut, "UserPage")


class UserFilters(Page):
    role: RoleCode | None = None
    is_active: bool | None = None
    email: str | None = Field(None, max_length=254, description="Exact, case-insensitive.")


@router.get("", response={200: UserPage, **ERRORS})
def user_list(request: HttpRequest, filters: Query[UserFilters]) -> dict[str, Any]:
    qs = User.objects.order_by("name", "pk")
    if filters.role is not None:
        qs = qs.filter(role=filters.role)
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    if filters.email is not None:
        qs = qs.filter(email__iexact=filters.email.replace("\x00", ""))
    return paginate(qs, filters, keyset=False)


@router.post("", response={201: UserOut, **ERRORS})
def user_post(request: HttpRequest, payload: UserIn) -> tuple[int, User]:
    require_admin(current_user(request))
    return 201, user_create(**payload.model_dump())


@router.get("/{user_id}", response={200: UserOut, **ERRORS})
def user_get(request: HttpRequest, user_id: Id) -> User:
    return get_or_404(User.objects.all(), user_id)


@router.patch("/{user_id}", response={200: UserOut, **ERRORS})
def user_patch(request: HttpRequest, user_id: Id, payload: UserPatch) -> User:
    require_admin(current_user(request))
    return user_update(user=get_or_404(User.objects.all(), user_id), **body_fields(payload))


@router.delete("/{user_id}", response={200: UserOut, **ERRORS})
def user_remove(request: HttpRequest, user_id: Id) -> User:
    """Deactivate (users are never deleted: their leads and messages keep their name)."""
    require_admin(current_user(request))
    return user_deactivate(user=get_or_404(User.objects.all(), user_id))
