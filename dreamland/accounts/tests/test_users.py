"""Users: created by email as Django's convention has it; createsuperuser makes an admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from dreamland.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_create_user_hashes_the_password_into_password_digest() -> None:
    user = get_user_model().objects.create_user(
        email="Aliya@Dreamland.KZ", password="s3cret-pass-123", name="Aliya", role=Role.MANAGER
    )
    assert user.email == "aliya@dreamland.kz"
    assert user.role == "manager"
    assert user.password.startswith("argon2")
    assert user.check_password("s3cret-pass-123")


def test_new_users_are_agents_speaking_russian_in_tenge() -> None:
    user = get_user_model().objects.create_user(email="a@b.kz", password="x-y-z-123456", name="A")
    assert (user.role, user.preferred_language, user.preferred_currency) == ("agent", "ru", "KZT")


def test_createsuperuser_noinput_reads_the_environment_and_makes_an_admin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@dreamland.kz")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-pass-123")
    monkeypatch.setenv("DJANGO_SUPERUSER_NAME", "Big Boss")
    call_command("createsuperuser", "--noinput", verbosity=0)
    user = get_user_model().objects.get(email="boss@dreamland.kz")
    assert user.role == Role.ADMIN
    assert user.name == "Big Boss"
    assert user.is_superuser and user.is_staff
    assert authenticate(username="boss@dreamland.kz", password="s3cret-pass-123") == user


def test_email_login_ignores_case() -> None:
    user = get_user_model().objects.create_user(
        email="case@dreamland.kz", password="pw-123456-x", name="C"
    )
    assert authenticate(username="CASE@dreamland.kz", password="pw-123456-x") == user
