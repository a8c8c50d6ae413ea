"""A service that fails midway leaves nothing behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dreamland.bookings.models import BookingStatus
from dreamland.bookings.services import (
    booking_create,
    booking_update,
    payment_create,
    payment_update,
)
from dreamland.leads.models import LeadStatus
from dreamland.leads.services import lead_create, lead_transition, lead_update
from dreamland.lib.errors import RuleViolation
from dreamland.money.models import ExchangeRate
from dreamland.money.selectors import MissingExchangeRate

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 25)


def test_a_lead_update_refused_on_status_keeps_its_other_changes_out(make_client, make_tour):
    lead = lead_create(client=make_client(), auto_assign=False)
    lead_transition(lead=lead, status="quoted")
    with pytest.raises(RuleViolation) as exc:
        lead_update(lead=lead, tour_interest=make_tour(), source="website", status="new")
    assert exc.value.code == "illegal_transition"
    lead.refresh_from_db()
    assert (lead.tour_interest, lead.source, lead.status) == (None, "manual", LeadStatus.QUOTED)


def test_a_booking_update_that_cannot_price_its_payments_changes_nothing(
    make_client, make_departure
):
    ExchangeRate.objects.create(currency="USD", date=ON, rate=Decimal("500"))
    departure = make_departure(price=Decimal("100"), currency="USD", capacity=10)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    payment_create(booking=booking, amount=Decimal("100"), payment_date=ON, payment_method="cash")
    assert booking.status == BookingStatus.CONFIRMED
    with pytest.raises(MissingExchangeRate, match="EUR") as exc:
        # Re-pricing in euros needs EUR on the payment's date, which is missing.
        booking_update(
            booking=booking, num_participants=2, total_amount=Decimal("180"), currency="EUR"
        )
    assert exc.value.code == "missing_exchange_rate"
    booking.refresh_from_db()
    assert (booking.num_participants, booking.total_amount, booking.currency) == (
        1,
        Decimal("100.00"),
        "USD",
    )


def test_a_payment_edit_into_a_currency_without_rate_changes_nothing(make_client, make_departure):
    booking = booking_create(
        client=make_client(),
        tour_departure=make_departure(price=Decimal("1000")),
        num_participants=1,
    )
    payment = payment_create(
        booking=booking, amount=Decimal("1000"), payment_date=ON, payment_method="cash"
    )
    with pytest.raises(MissingExchangeRate) as exc:
        payment_update(payment=payment, currency="RUB", amount=Decimal("5"))
    assert exc.value.code == "missing_exchange_rate"
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert (payment.amount, payment.currency) == (Decimal("1000.00"), "KZT")
    assert booking.status == BookingStatus.PAID
