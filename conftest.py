"""Shared fixtures: the personas of SPEC §4 and factories for the many related CRM rows."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.utils import translation

from dreamland.accounts.models import Role, User
from dreamland.bookings.models import Booking, Payment
from dreamland.bookings.services import booking_create, payment_create
from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.services import lead_create, lead_transition
from dreamland.messaging.models import Communication
from dreamland.tours.models import Tour, TourDeparture
from dreamland.whatsapp.testing import message_body, sign

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Tests read messages in English, the source language: a service called directly would
    otherwise answer in the site's default language (Russian). A request in a test still
    activates its own language (the user's, or Accept-Language)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: cached figures are keyed by versions kept in the
    database (`reports.freshness`), which the rollback after each test sets back."""
    cache.clear()
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
    def make(**fields: Any) -> Client:
        n = next(_seq)
        fields.setdefault("name", f"Client {n}")
        fields.setdefault("phone", f"+7701{n:07d}")
        return Client.objects.create(**fields)

    return make


@pytest.fixture
def make_tour(db: None) -> Callable[..., Any]:
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
    def make(**fields: Any) -> TourDeparture:
        if "tour" not in fields:
            fields["tour"] = make_tour()
        fields.setdefault("departure_date", date.today() + timedelta(days=30))
        return TourDeparture.objects.create(**fields)

    return make


# --- rows through the domain services (the rules hold in test data too) -------------------------


@pytest.fixture
def login(db: None) -> Callable[[User], Any]:
    """`login(user)`: a test client signed in as `user` (the back office and the web pages)."""

    def make(user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http

    return make


@pytest.fixture
def make_lead(db: None, make_client: Callable[..., Any]) -> Callable[..., Any]:
    """`make_lead(client=…, status=…, **lead_create kwargs)` through `lead_create` and the
    pipeline (`lead_transition`): a test cannot build a lead the rules would refuse."""

    def make(*, client: Any = None, status: str = LeadStatus.NEW, **fields: Any) -> Lead:
        lead = lead_create(client=client or make_client(), **fields)
        if status != LeadStatus.NEW:
            lead = lead_transition(lead=lead, status=status)
        return lead

    return make


@pytest.fixture
def make_booking(
    db: None, make_client: Callable[..., Any], make_departure: Callable[..., Any]
) -> Callable[..., Any]:
    """`make_booking(client=…, tour_departure=…, num_participants=1, **booking_create kwargs)`
    through `booking_create`: the seat rule and the default price hold."""

    def make(
        *,
        client: Any = None,
        tour_departure: Any = None,
        num_participants: int = 1,
        **fields: Any,
    ) -> Booking:
        return booking_create(
            client=client or make_client(),
            tour_departure=tour_departure or make_departure(),
            num_participants=num_participants,
            **fields,
        )

    return make


@pytest.fixture
def make_payment(db: None, make_booking: Callable[..., Any]) -> Callable[..., Any]:
    """`make_payment(booking=…, amount=…, payment_method="cash", **payment_create kwargs)`
    through `payment_create`: conversion at the day's rate and the booking's paid status hold."""

    def make(
        *,
        booking: Any = None,
        amount: Decimal | str | int = Decimal("1000.00"),
        payment_method: str = "cash",
        **fields: Any,
    ) -> Payment:
        return payment_create(
            booking=booking or make_booking(),
            amount=Decimal(str(amount)),
            payment_method=payment_method,
            **fields,
        )

    return make


@pytest.fixture
def make_inbound(db: None, settings: Any) -> Callable[..., Any]:
    """`make_inbound(phone=…, body=…)`: a customer's WhatsApp text, posted to the webhook signed
    as Meta sends it, so the inbound rules apply (client by phone, their open lead, unread count).
    Returns the stored `Communication`."""
    if not settings.WHATSAPP_APP_SECRET:
        settings.WHATSAPP_APP_SECRET = "conftest-app-secret"

    def make(
        *, phone: str = "+77011234567", body: str = "Hello!", name: str = "Maria"
    ) -> Communication:
        wamid = f"wamid.conftest{next(_seq)}"
        message = {
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": body},
        }
        raw = json.dumps(message_body(message, wa_id=phone.lstrip("+"), name=name)).encode()
        response = HttpClient().post(
            "/webhooks/whatsapp",
            raw,
            content_type="application/json",
            headers={"X-Hub-Signature-256": sign(raw, settings.WHATSAPP_APP_SECRET)},
        )
        assert response.status_code == 200, response.content
        return Communication.objects.get(whatsapp_message_id=wamid)

    return make
