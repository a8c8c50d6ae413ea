from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dreamland.bookings.models import BookingStatus, Payment, PaymentStatus
from dreamland.bookings.selectors import booking_money
from dreamland.bookings.services import (
    booking_cancel,
    booking_create,
    payment_create,
    payment_set_status,
    payment_update,
)
from dreamland.lib.errors import RuleViolation
from dreamland.money.models import ExchangeRate
from dreamland.money.selectors import MissingExchangeRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(make_client, make_departure):
    departure = make_departure(price=Decimal("100000"), currency="KZT", capacity=10)
    return booking_create(client=make_client(), tour_departure=departure, num_participants=1)


def _status(booking) -> str:
    booking.refresh_from_db()
    return booking.status


def test_instalments_make_the_booking_paid_once_they_cover_the_total(booking):
    payment_create(booking=booking, amount=Decimal("40000"), payment_method="kaspi")
    assert _status(booking) == BookingStatus.CONFIRMED
    assert booking_money(booking).balance_due == Decimal("60000.00")
    payment_create(booking=booking, amount=Decimal("60000"), payment_method="cash")
    assert _status(booking) == BookingStatus.PAID
    assert booking_money(booking).balance_due == Decimal("0.00")


def test_an_overpayment_is_shown_as_a_negative_balance(booking):
    payment_create(booking=booking, amount=Decimal("100500"), payment_method="card")
    money = booking_money(booking)
    assert money.balance_due == Decimal("-500.00")
    assert money.overpayment == Decimal("500.00")
    assert _status(booking) == BookingStatus.PAID


def test_pending_and_failed_payments_do_not_count(booking):
    payment_create(
        booking=booking, amount=Decimal("100000"), payment_method="card", status="pending"
    )
    payment_create(
        booking=booking, amount=Decimal("100000"), payment_method="card", status="failed"
    )
    assert booking_money(booking).paid == Decimal("0.00")
    assert _status(booking) == BookingStatus.CONFIRMED


def test_completing_a_pending_payment_pays_the_booking(booking):
    payment = payment_create(
        booking=booking, amount=Decimal("100000"), payment_method="card", status="pending"
    )
    payment_set_status(payment=payment, status=PaymentStatus.COMPLETED)
    assert _status(booking) == BookingStatus.PAID


def test_a_refund_takes_the_booking_back_to_confirmed(booking):
    payment = payment_create(booking=booking, amount=Decimal("100000"), payment_method="cash")
    assert _status(booking) == BookingStatus.PAID
    payment_set_status(payment=payment, status=PaymentStatus.REFUNDED)
    assert _status(booking) == BookingStatus.CONFIRMED
    assert booking_money(booking).balance_due == Decimal("100000.00")


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("completed", "pending"),
        ("completed", "failed"),
        ("refunded", "completed"),
        ("pending", "refunded"),
        ("failed", "completed"),
    ],
)
def test_illegal_payment_status_changes_are_refused(booking, start, target):
    payment = payment_create(
        booking=booking, amount=Decimal("10"), payment_method="cash", status="pending"
    )
    Payment.objects.filter(pk=payment.pk).update(status=start)
    payment.refresh_from_db()
    with pytest.raises(RuleViolation, match=f"A {start} payment cannot become {target}") as exc:
        payment_set_status(payment=payment, status=target)
    assert exc.value.code == "illegal_transition"
    payment.refresh_from_db()
    assert payment.status == start


def test_a_payment_in_dollars_is_converted_at_its_payment_dates_rate(booking):
    ExchangeRate.objects.create(currency="USD", date=date(2026, 11, 20), rate=Decimal("500"))
    ExchangeRate.objects.create(currency="USD", date=date(2026, 11, 24), rate=Decimal("520"))
    payment_create(
        booking=booking,
        amount=Decimal("100"),
        currency="USD",
        payment_date=date(2026, 11, 22),  # a weekend: the rate of the 20th applies
        payment_method="card",
    )
    assert booking_money(booking).paid == Decimal("50000.00")
    payment_create(
        booking=booking,
        amount=Decimal("100"),
        currency="USD",
        payment_date=date(2026, 11, 24),
        payment_method="card",
    )
    assert booking_money(booking).paid == Decimal("102000.00")
    assert _status(booking) == BookingStatus.PAID


def test_euros_into_a_dollar_booking_go_through_tenge(make_client, make_departure):
    departure = make_departure(price=Decimal("100"), currency="USD", capacity=5)
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    on = date(2026, 11, 25)
    ExchangeRate.objects.create(currency="USD", date=on, rate=Decimal("500"))
    ExchangeRate.objects.create(currency="EUR", date=on, rate=Decimal("550"))
    payment_create(
        booking=booking,
        amount=Decimal("10"),
        currency="EUR",
        payment_date=on,
        payment_method="cash",
    )
    assert booking_money(booking).paid == Decimal("11.00")


def test_a_payment_without_a_rate_is_refused_never_taken_one_to_one(booking):
    ExchangeRate.objects.create(currency="USD", date=date(2026, 11, 1), rate=Decimal("500"))
    with pytest.raises(MissingExchangeRate, match="No exchange rate for USD on 2026-11-20") as exc:
        payment_create(
            booking=booking,
            amount=Decimal("100"),
            currency="USD",
            payment_date=date(2026, 11, 20),
            payment_method="cash",
        )
    assert exc.value.code == "missing_exchange_rate"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"payment_method": "cheque"}, "payment_method"),
        ({"status": "lost"}, "status"),
        ({"currency": "GBP"}, "currency"),
    ],
)
def test_bad_payment_input_is_a_field_error_and_writes_nothing(booking, fields, field):
    args = {"amount": Decimal("10"), "payment_method": "cash", **fields}
    with pytest.raises(ValidationError) as exc:
        payment_create(booking=booking, **args)
    assert field in exc.value.message_dict
    assert not Payment.objects.exists()


def test_a_cancelled_booking_takes_no_completed_payment(booking):
    booking_cancel(booking=booking)
    with pytest.raises(RuleViolation, match="cancelled booking takes no payments") as exc:
        payment_create(booking=booking, amount=Decimal("10"), payment_method="cash")
    assert exc.value.code == "booking_closed"
    assert not Payment.objects.exists()


def test_editing_the_amount_updates_the_status(booking):
    payment = payment_create(booking=booking, amount=Decimal("100000"), payment_method="cash")
    payment_update(payment=payment, amount=Decimal("99999.99"))
    assert _status(booking) == BookingStatus.CONFIRMED
    assert booking_money(booking).balance_due == Decimal("0.01")


def test_clearing_the_currency_falls_back_to_the_bookings_and_a_date_is_required(booking):
    payment = payment_create(booking=booking, amount=Decimal("10"), payment_method="cash")
    assert payment_update(payment=payment, currency="").currency == "KZT"
    with pytest.raises(ValidationError) as exc:
        payment_update(payment=payment, payment_date=None)
    assert "payment_date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        payment_update(payment=payment, booking=None)
