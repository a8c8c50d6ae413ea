"""Users in the back office: created and edited through the account services (one email rule)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dreamland.accounts.models import User

pytestmark = pytest.mark.django_db
NEW_USER = {
    "email": "New.Agent@Dreamland.kz",
    "name": "New Agent",
    "role": "agent",
    "is_active": "on",
    "preferred_language": "ru",
    "preferred_currency": "KZT",
    "password1": "a-long-enough-password-42",
    "password2": "a-long-enough-password-42",
}


def test_an_admin_creates_a_user_with_a_hashed_password_never_shown(
    login: Callable[[User], Any], admin_user: User
) -> None:
    http = login(admin_user)
    page = http.get(reverse("admin:accounts_user_add"))
    assert b"password_digest" not in page.content
    response = http.post(reverse("admin:accounts_user_add"), NEW_USER)
    assert response.status_code == 302, response.content
    user = User.objects.get(email="new.agent@dreamland.kz")
    assert user.check_password("a-long-enough-password-42")
    assert user.password != "a-long-enough-password-42"
    change = http.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert user.password.encode() not in change.content


def test_an_email_taken_in_another_case_is_refused_on_add_and_change(
    login: Callable[[User], Any], admin_user: User, agent: User
) -> None:
    http = login(admin_user)
    taken = {**NEW_USER, "email": f"  {agent.email.upper()} "}
    response = http.post(reverse("admin:accounts_user_add"), taken)
    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()
    assert User.objects.count() == 2
    url = reverse("admin:accounts_user_change", args=[admin_user.pk])
    change = {k: v for k, v in taken.items() if not k.startswith("password")}
    assert http.post(url, change).status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.email == "arman.admin@dreamland.test"


def test_an_edited_email_is_stored_normalised(
    login: Callable[[User], Any], admin_user: User, agent: User
) -> None:
    url = reverse("admin:accounts_user_change", args=[agent.pk])
    form = {k: v for k, v in NEW_USER.items() if not k.startswith("password")}
    assert (
        login(admin_user).post(url, {**form, "email": " Aigerim@Dreamland.KZ "}).status_code == 302
    )
    agent.refresh_from_db()
    assert agent.email == "aigerim@dreamland.kz"


def test_users_are_deactivated_not_deleted(
    login: Callable[[User], Any], admin_user: User, agent: User
) -> None:
    url = reverse("admin:accounts_user_delete", args=[agent.pk])
    assert login(admin_user).post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=agent.pk).exists()
