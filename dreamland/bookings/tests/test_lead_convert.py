from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import seats_taken
from dreamland.bookings.services import NoSeatsLeft, booking_create
from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.services import lead_create, lead_transition
from dreamland.lib.errors import Conflict, RuleViolation

pytestmark = pytest.mark.django_db


def test_converting_books_the_client_and_wins_the_lead(make_client, make_departure):
    client = make_client()
    lead = lead_create(client=client, auto_assign=False)
    departure = make_departure(price=Decimal("50000"), capacity=10)
    booking = lead_convert(lead=lead, tour_departure=departure, num_participants=2)
    assert booking.lead_id == lead.pk
    assert booking.client_id == client.pk
    assert booking.total_amount == Decimal("100000.00")
    assert booking.status == BookingStatus.CONFIRMED
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON


def test_a_price_override_is_kept(make_client, make_departure):
    lead = lead_create(client=make_client(), auto_assign=False)
    booking = lead_convert(
        lead=lead,
        tour_departure=make_departure(),
        num_participants=2,
        total_amount=Decimal("80000"),
        currency="KZT",
    )
    assert booking.total_amount == Decimal("80000.00")


def test_a_lead_converts_only_once(make_client, make_departure):
    lead = lead_create(client=make_client(), auto_assign=False)
    departure = make_departure()
    lead_convert(lead=lead, tour_departure=departure, num_participants=1)
    with pytest.raises(Conflict) as exc:
        lead_convert(lead=lead, tour_departure=departure, num_participants=1)
    assert exc.value.code == "already_converted"
    assert str(exc.value) == f"Lead #{lead.pk} was already converted to a booking."
    assert Booking.objects.count() == 1


def test_a_stale_lead_object_still_converts_only_once(make_client, make_departure):
    lead = lead_create(client=make_client(), auto_assign=False)
    stale = Lead.objects.get(pk=lead.pk)
    lead_convert(lead=lead, tour_departure=make_departure(), num_participants=1)
    with pytest.raises(Conflict) as exc:
        lead_convert(lead=stale, tour_departure=make_departure(), num_participants=1)
    assert exc.value.code == "already_converted"
    assert Booking.objects.count() == 1


def test_a_lost_lead_cannot_convert(make_client, make_departure):
    lead = lead_create(client=make_client(), auto_assign=False)
    lead_transition(lead=lead, status="lost")
    with pytest.raises(RuleViolation, match="is lost and cannot be converted") as exc:
        lead_convert(lead=lead, tour_departure=make_departure(), num_participants=1)
    assert exc.value.code == "illegal_transition"
    assert not Booking.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST


def test_no_seats_leaves_the_lead_open_and_no_booking(make_client, make_departure):
    departure = make_departure(capacity=2)
    booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    lead = lead_create(client=make_client(), auto_assign=False)
    lead_transition(lead=lead, status="quoted")
    with pytest.raises(NoSeatsLeft) as exc:
        lead_convert(lead=lead, tour_departure=departure, num_participants=1)
    assert exc.value.code == "no_seats"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUOTED
    assert not Booking.objects.filter(lead=lead).exists()
    assert seats_taken(departure) == 2


def test_maria_comes_back_a_year_later_with_a_new_lead(make_client, make_departure):
    maria = make_client(name="Maria")
    first = lead_create(client=maria, auto_assign=False)
    lead_convert(lead=first, tour_departure=make_departure(), num_participants=1)
    second = lead_create(client=maria, auto_assign=False)
    lead_convert(lead=second, tour_departure=make_departure(), num_participants=1)
    assert maria.bookings.count() == 2
    assert set(maria.leads.values_list("status", flat=True)) == {"won"}


def test_a_conversion_that_fails_validation_leaves_the_lead_open(
    make_client, make_tour, make_departure
):
    lead = lead_create(client=make_client(), auto_assign=False)
    departure = make_departure(tour=make_tour(base_price=None))
    with pytest.raises(ValidationError):
        lead_convert(lead=lead, tour_departure=departure, num_participants=1)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert not Booking.objects.exists()


def test_a_booking_cannot_carry_another_clients_lead(make_client, make_departure):
    lead = lead_create(client=make_client(), auto_assign=False)
    with pytest.raises(ValidationError) as exc:
        booking_create(
            client=make_client(), tour_departure=make_departure(), num_participants=1, lead=lead
        )
    assert "lead" in exc.value.message_dict
