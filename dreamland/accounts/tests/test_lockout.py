"""Lockout after repeated failed logins (SPEC §4), shared by the web login and the API."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client as HttpClient
from django.test import override_settings

from conftest import PASSWORD
from dreamland.accounts.models import User
from dreamland.accounts.services import AccountLocked, user_authenticate


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_the_right_password_is_refused_while_the_account_is_locked(agent: User) -> None:
    for _ in range(3):
        assert user_authenticate(email=agent.email, password="wrong") is None
    with pytest.raises(AccountLocked):
        user_authenticate(email=agent.email, password=PASSWORD)
    assert authenticate(username=agent.email, password=PASSWORD) is None


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_failure_count(agent: User) -> None:
    for _ in range(2):
        user_authenticate(email=agent.email, password="wrong")
    assert user_authenticate(email=agent.email, password=PASSWORD) == agent
    agent.refresh_from_db()
    assert agent.failed_login_attempts == 0


def test_unknown_email_and_inactive_user_do_not_log_in(agent: User) -> None:
    assert user_authenticate(email="nobody@dreamland.kz", password=PASSWORD) is None
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert user_authenticate(email=agent.email, password=PASSWORD) is None


@pytest.mark.parametrize("email,password", [("", ""), (None, "x"), ("a@b.kz", None)])
def test_malformed_credentials_are_just_a_failed_login(email: object, password: object) -> None:
    assert user_authenticate(email=email, password=password) is None  # type: ignore[arg-type]


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_the_admin_login_page_honours_the_lockout(admin_user: User) -> None:
    browser = HttpClient()
    for _ in range(2):
        browser.post("/admin/login/", {"username": admin_user.email, "password": "wrong"})
    response = browser.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "_auth_user_id" not in browser.session
