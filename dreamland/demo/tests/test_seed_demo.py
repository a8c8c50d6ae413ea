"""`manage.py seed_demo`: a believable agency, loaded once; a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from dreamland.accounts.models import Role, User
from dreamland.bookings.models import Booking, BookingStatus, Payment
from dreamland.bookings.selectors import booking_money
from dreamland.clients.models import Client
from dreamland.demo import data
from dreamland.leads.models import Lead, LeadSource, LeadStatus
from dreamland.lib.phones import normalize_phone
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.money.models import ExchangeRate
from dreamland.tours.models import Tour, TourDeparture

MODELS: list[type[Any]] = [
    User,
    Client,
    Tour,
    TourDeparture,
    Lead,
    Booking,
    Payment,
    Communication,
    WhatsAppTemplate,
    ExchangeRate,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_the_agency_once_and_prints_the_logins() -> None:
    output = _run()
    for email, password, _name, _role in data.STAFF:
        assert email in output and password in output
    first = _counts()
    assert first["User"] == 5
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert first["Tour"] == 8
    assert first["Client"] == 200
    assert first["Lead"] > 200
    assert first["Booking"] > 40
    assert first["Payment"] > first["Booking"]
    assert first["Communication"] > 1000
    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    assert set(Lead.objects.values_list("source", flat=True)) == set(LeadSource.values)
    assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values)
    assert {"KZT", "USD", "EUR", "RUB"} <= set(Payment.objects.values_list("currency", flat=True))
    assert set(WhatsAppTemplate.objects.values_list("language", flat=True)) == {"ru", "en"}
    for phone in Client.objects.values_list("phone", flat=True):
        assert normalize_phone(phone) == phone
    for booking in Booking.objects.filter(payments__isnull=False).distinct()[:30]:
        booking_money(booking)  # every payment converts: the rates of its date exist

    assert "created nothing" in _run()
    assert _counts() == first
    skipped = _run("--if-empty")
    assert "not loaded" in skipped and "admin@dreamland.kz" in skipped
    assert _counts() == first


@pytest.mark.django_db
def test_maria_has_two_leads_and_two_bookings_two_years_apart() -> None:
    _run()
    maria = Client.objects.get(phone=data.MARIA_PHONE)
    leads = list(maria.leads.order_by("created_at"))
    assert [lead.tour_interest.name for lead in leads if lead.tour_interest] == [
        "Altai",
        "Charyn Canyon",
    ]
    assert all(lead.status == LeadStatus.WON for lead in leads)
    bookings = {b.tour_departure.tour.name: b for b in maria.bookings.all()}
    assert bookings["Altai"].status == BookingStatus.COMPLETED
    assert bookings["Charyn Canyon"].status in (BookingStatus.CONFIRMED, BookingStatus.PAID)
    assert (leads[1].created_at - leads[0].created_at).days > 700


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_user_exists(admin_user: User) -> None:
    output = _run("--if-empty")
    assert "not loaded" in output
    assert "dreamland-admin" in output
    assert Client.objects.count() == 0


@pytest.mark.django_db
def test_seeded_just_after_midnight_nothing_is_dated_in_the_future(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seeded at 01:10 local time, today's working hours are still to come: no message, lead
    or booking may be dated after the seed ran (a 24-hour window read "24 h 44 min")."""
    from datetime import datetime, time

    from django.utils import timezone

    night = timezone.make_aware(datetime.combine(timezone.localdate(), time(1, 10)))
    monkeypatch.setattr(timezone, "now", lambda: night)
    _run()
    assert not Communication.objects.filter(created_at__gt=night).exists()
    assert not Lead.objects.filter(last_message_at__gt=night).exists()
    assert not Lead.objects.filter(created_at__gt=night).exists()
    assert not Booking.objects.filter(created_at__gt=night).exists()
