"""Roles decide back-office access (SPEC §4): admins all, managers the business, agents none."""

from __future__ import annotations

import pytest

from dreamland.accounts.models import Role, User


@pytest.mark.django_db
def test_admins_may_do_everything(admin_user: User) -> None:
    assert admin_user.is_staff and admin_user.is_superuser
    assert admin_user.has_perm("accounts.change_user")
    assert admin_user.has_perm("money.change_exchangerate")


@pytest.mark.django_db
def test_managers_run_the_business_but_only_view_admin_only_tables(manager: User) -> None:
    assert manager.is_staff and not manager.is_superuser
    assert manager.has_perm("leads.change_lead")
    assert manager.has_perm("bookings.add_payment")
    assert manager.has_perm("money.view_exchangerate")
    assert not manager.has_perm("money.change_exchangerate")
    assert not manager.has_perm("accounts.view_user")
    assert not manager.has_module_perms("accounts")


@pytest.mark.django_db
def test_agents_and_inactive_staff_get_no_back_office(agent: User, admin_user: User) -> None:
    assert not agent.is_staff
    assert not agent.has_perm("clients.view_client")
    assert not agent.has_module_perms("clients")
    admin_user.is_active = False
    assert not admin_user.is_staff
    assert not admin_user.has_perm("clients.view_client")


@pytest.mark.django_db
def test_create_user_lowercases_the_email_and_hashes_the_password() -> None:
    user = User.objects.create_user(
        email="Aigerim@Dreamland.KZ", password="s3cret-pass-word", name="Aigerim"
    )
    assert user.email == "aigerim@dreamland.kz"
    assert user.role == Role.AGENT
    assert user.password.startswith("argon2")
    assert user.check_password("s3cret-pass-word")
    assert User.objects.get_by_natural_key("AIGERIM@dreamland.kz") == user
