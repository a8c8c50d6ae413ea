"""Shared fixtures: the personas of SPEC §4 and factories for the many related CRM rows."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from dreamland.accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Tests read messages in English, the source language: a service called directly would
    otherwise answer in the site's default language (Russian). A request in a test still
    activates its own language (the user's, or Accept-Language)."""
    with translation.override("en"):
        yield


def _user(role: str, name: str, language: str = "en") -> User:
    """A persona; it reads the back office in English unless a test asks for another language."""
    return User.objects.create_user(
        email=f"{name.lower().replace(' ', '.')}@dreamland.test",
        password=PASSWORD,
        name=name,
        role=role,
        preferred_language=language,
    )


@pytest.fixture
def agent(db: None) -> User:
    return _user(Role.AGENT, "Aigerim Agent")


@pytest.fixture
def other_agent(db: None) -> User:
    return _user(Role.AGENT, "Daniyar Agent")


@pytest.fixture
def manager(db: None) -> User:
    return _user(Role.MANAGER, "Madina Manager")


@pytest.fixture
def admin_user(db: None) -> User:
    return _user(Role.ADMIN, "Arman Admin")


@pytest.fixture
def make_client(db: None) -> Callable[..., Any]:
    from dreamland.clients.models import Client

    def make(**fields: Any) -> Client:
        n = next(_seq)
        fields.setdefault("name", f"Client {n}")
        fields.setdefault("phone", f"+7701{n:07d}")
        return Client.objects.create(**fields)

    return make


@pytest.fixture
def make_tour(db: None) -> Callable[..., Any]:
    from dreamland.tours.models import Tour

    def make(**fields: Any) -> Tour:
        fields.setdefault("name", f"Tour {next(_seq)}")
        fields.setdefault("base_price", Decimal("45000.00"))
        fields.setdefault("currency", "KZT")
        fields.setdefault("capacity", 20)
        fields.setdefault("duration_days", 1)
        return Tour.objects.create(**fields)

    return make


@pytest.fixture
def make_departure(db: None, make_tour: Callable[..., Any]) -> Callable[..., Any]:
    from dreamland.tours.models import TourDeparture

    def make(**fields: Any) -> TourDeparture:
        if "tour" not in fields:
            fields["tour"] = make_tour()
        fields.setdefault("departure_date", date.today() + timedelta(days=30))
        return TourDeparture.objects.create(**fields)

    return make
