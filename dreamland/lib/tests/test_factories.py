"""The shared factories go through the services: the rows they build obey the domain rules."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.services import NoSeatsLeft
from dreamland.leads.models import LeadStatus
from dreamland.leads.selectors import lead_open_for_client
from dreamland.lib.errors import RuleViolation

pytestmark = pytest.mark.django_db


def test_make_booking_obeys_the_seat_rule(
    make_booking: Callable[..., Any], make_departure: Callable[..., Any]
) -> None:
    departure = make_departure(capacity=2)
    make_booking(tour_departure=departure, num_participants=2)
    with pytest.raises(NoSeatsLeft) as exc:
        make_booking(tour_departure=departure)
    assert exc.value.code == "no_seats"
    assert Booking.objects.filter(tour_departure=departure).count() == 1


def test_make_payment_turns_a_covered_booking_paid(
    make_booking: Callable[..., Any], make_payment: Callable[..., Any]
) -> None:
    booking = make_booking(total_amount=Decimal("1000"))
    make_payment(booking=booking, amount="1000")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID


def test_make_lead_walks_the_pipeline(make_lead: Callable[..., Any]) -> None:
    assert make_lead(status=LeadStatus.QUOTED).status == LeadStatus.QUOTED
    with pytest.raises(RuleViolation) as exc:
        make_lead(status=LeadStatus.WON)
    assert exc.value.code == "illegal_transition"


def test_make_inbound_goes_through_the_webhook(make_inbound: Callable[..., Any]) -> None:
    first = make_inbound(phone="+77015550001", body="Salem!")
    second = make_inbound(phone="+77015550001", body="Any seats in May?")
    assert first.client == second.client and first.client.phone == "+77015550001"
    assert first.lead == second.lead == lead_open_for_client(client_id=first.client_id)
    assert second.body == "Any seats in May?" and second.direction == "inbound"


def test_login_signs_the_user_in(login: Callable[[User], Any], manager: User) -> None:
    assert login(manager).get("/admin/").status_code == 200
