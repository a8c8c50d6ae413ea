"""SPEC §2 "Phone identity": every spelling of one number is one client; garbage is never a client."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking
from dreamland.clients.models import Client
from dreamland.clients.services import (
    PhoneTaken,
    client_create,
    client_find_by_phone,
    client_find_or_create,
)
from dreamland.leads.models import Lead

SPELLINGS = ["8 (701) 123-45-67", "+7 701 123 4567", "87011234567", "77011234567"]


@pytest.mark.django_db
def test_the_four_spellings_of_one_number_are_one_client() -> None:
    first, created = client_find_or_create(phone=SPELLINGS[0], name="Maria")
    assert created
    assert first.phone == "+77011234567"
    for spelling in SPELLINGS[1:]:
        again, created = client_find_or_create(phone=spelling, name="Someone else")
        assert (again.pk, created) == (first.pk, False)
        assert client_find_by_phone(spelling) == first
    assert Client.objects.count() == 1
    assert Client.objects.get().name == "Maria"


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_creating_a_known_number_in_any_spelling_points_at_the_existing_client(
    spelling: str,
) -> None:
    existing = client_create(name="Maria", phone="+77011234567")
    with pytest.raises(PhoneTaken) as exc:
        client_create(name="Maria again", phone=spelling)
    assert exc.value.client == existing
    assert Client.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("garbage", ["123", "hello", "", "+7 000 000 00 00", "8" * 70])
def test_garbage_is_an_error_and_creates_nothing(garbage: str) -> None:
    with pytest.raises(ValidationError):
        client_create(name="Nobody", phone=garbage)
    with pytest.raises(ValidationError):
        client_find_or_create(phone=garbage, name="Nobody")
    assert not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".kz"}, "email"),  # 307 chars
        ({"preferred_language": "de"}, "preferred_language"),
    ],
)
def test_a_new_clients_bad_details_are_a_field_error_and_create_nothing(
    details: dict[str, str], field: str
) -> None:
    """Find-or-create checks what it would store: PostgreSQL would refuse an over-long email."""
    with pytest.raises(ValidationError) as exc:
        client_find_or_create(phone=SPELLINGS[0], name="Maria", **details)
    assert field in exc.value.message_dict
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_the_database_rejects_a_duplicate_phone_even_bypassing_the_services() -> None:
    Client.objects.create(name="Maria", phone="+77011234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(name="Maria twin", phone="+77011234567")
    assert Client.objects.count() == 1


@pytest.mark.django_db
def test_the_database_rejects_a_bad_enum_value_even_bypassing_validation(
    make_client: Any,
) -> None:
    client = make_client()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(client=client, status="maybe")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE clients SET preferred_language = 'de' WHERE id = %s", [client.pk])
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_maria_returns_after_two_years_as_the_same_client_with_two_leads_and_two_bookings(
    make_tour: Any, make_departure: Any, make_lead: Any
) -> None:
    altai = make_tour(name="Altai Mountains")
    charyn = make_tour(name="Charyn Canyon")
    # Year 1: inquiry about Altai, converted.
    maria, _ = client_find_or_create(phone="+7 701 234 5670", name="Maria")
    lead1 = make_lead(client=maria, tour_interest=altai)
    lead_convert(lead=lead1, tour_departure=make_departure(tour=altai), num_participants=2)
    # Year 2: she writes from WhatsApp (wa_id spelling) about Charyn.
    again, created = client_find_or_create(phone="77012345670", name="Мария")
    assert (again.pk, created) == (maria.pk, False)
    lead2 = make_lead(client=again, tour_interest=charyn)
    lead_convert(lead=lead2, tour_departure=make_departure(tour=charyn), num_participants=1)
    assert Client.objects.count() == 1
    assert maria.leads.count() == 2
    assert maria.bookings.count() == 2
    assert {b.tour_departure.tour.name for b in maria.bookings.all()} == {
        "Altai Mountains",
        "Charyn Canyon",
    }


@pytest.mark.django_db
def test_a_lead_converts_to_at_most_one_booking(make_client: Any, make_departure: Any) -> None:
    client = make_client()
    lead = Lead.objects.create(client=client)
    departure = make_departure()
    Booking.objects.create(client=client, lead=lead, tour_departure=departure, num_participants=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            client=client, lead=lead, tour_departure=departure, num_participants=1
        )
