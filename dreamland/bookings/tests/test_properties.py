"""Property-based checks of the money and seat invariants over random histories."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import booking_money, seats_taken
from dreamland.bookings.services import (
    NoSeatsLeft,
    booking_cancel,
    booking_create,
    booking_update,
    payment_create,
    payment_set_status,
)
from dreamland.clients.models import Client
from dreamland.lib.errors import RuleViolation
from dreamland.lib.money import quantize
from dreamland.money.models import ExchangeRate
from dreamland.tours.models import Tour, TourDeparture

pytestmark = pytest.mark.django_db
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ON = date(2026, 11, 25)
RATES = {
    "KZT": Decimal(1),
    "USD": Decimal("512.34"),
    "EUR": Decimal("590.12"),
    "RUB": Decimal("6.48"),
}
_phones = itertools.count(1)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000000"), places=2)
payments = st.lists(
    st.tuples(
        amounts,
        st.sampled_from(list(RATES)),
        st.sampled_from(["pending", "completed", "failed", "refunded"]),
        st.booleans(),  # refund it afterwards (when completed)
    ),
    max_size=6,
)


def _client() -> Client:
    return Client.objects.create(name="P", phone=f"+7702{next(_phones):07d}")


@PROPERTY_SETTINGS
@given(price=amounts, currency=st.sampled_from(list(RATES)), history=payments)
def test_balance_is_total_minus_converted_completed_payments_and_paid_iff_covered(
    price, currency, history
):
    with transaction.atomic():
        for code, rate in RATES.items():
            if code != "KZT":
                ExchangeRate.objects.create(currency=code, date=ON, rate=rate)
        tour = Tour.objects.create(name="T", base_price=price, currency=currency, capacity=5)
        departure = TourDeparture.objects.create(tour=tour, departure_date=ON)
        booking = booking_create(client=_client(), tour_departure=departure, num_participants=1)
        expected_paid = Decimal("0.00")
        for amount, pay_currency, status, refund_later in history:
            payment = payment_create(
                booking=booking,
                amount=amount,
                currency=pay_currency,
                payment_date=ON,
                payment_method="cash",
                status=status,
            )
            if status == "completed" and refund_later:
                payment_set_status(payment=payment, status="refunded")
            elif status == "completed":
                expected_paid += quantize(amount * RATES[pay_currency] / RATES[currency])

        booking.refresh_from_db()
        money = booking_money(booking)
        assert money.total == quantize(price)
        assert money.paid == expected_paid
        assert money.balance_due == money.total - expected_paid
        assert money.overpayment == max(-money.balance_due, Decimal(0))
        assert (booking.status == BookingStatus.PAID) == (money.balance_due <= 0)
        transaction.set_rollback(True)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("resize"), st.integers(0, 9), st.integers(1, 5)),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 2)),
    ),
    max_size=15,
)


@PROPERTY_SETTINGS
@given(capacities=st.lists(st.integers(0, 6), min_size=3, max_size=3), history=ops)
def test_seats_never_exceed_capacity_over_any_history(capacities, history):
    with transaction.atomic():
        tour = Tour.objects.create(name="T", base_price=Decimal("100"), capacity=3)
        departures = [
            TourDeparture.objects.create(tour=tour, departure_date=ON, capacity=c)
            for c in capacities
        ]
        client = _client()
        bookings: list[Booking] = []
        model: dict[
            int, tuple[int, int, bool]
        ] = {}  # booking pk -> (departure index, seats, active)

        def taken(index: int, exclude: int | None = None) -> int:
            return sum(n for pk, (d, n, on) in model.items() if d == index and on and pk != exclude)

        for op, a, b in history:
            if op == "book":
                fits = taken(a) + b <= capacities[a]
                try:
                    booking = booking_create(
                        client=client, tour_departure=departures[a], num_participants=b
                    )
                except NoSeatsLeft:
                    assert not fits
                else:
                    assert fits
                    bookings.append(booking)
                    model[booking.pk] = (a, b, True)
                continue
            if not bookings:
                continue
            booking = bookings[a % len(bookings)]
            index, seats, active = model[booking.pk]
            if op == "cancel":
                booking_cancel(booking=booking)
                model[booking.pk] = (index, seats, False)
                continue
            target, count = (index, b) if op == "resize" else (b, seats)
            try:
                booking_update(
                    booking=booking, num_participants=count, tour_departure=departures[target]
                )
            except RuleViolation:
                assert not active
            except NoSeatsLeft:
                assert active and taken(target, exclude=booking.pk) + count > capacities[target]
            else:
                assert active
                assert taken(target, exclude=booking.pk) + count <= capacities[target]
                model[booking.pk] = (target, count, True)

            for i, departure in enumerate(departures):
                assert seats_taken(departure) == taken(i) <= capacities[i]
        for i, departure in enumerate(departures):
            assert seats_taken(departure) == taken(i) <= capacities[i]
        transaction.set_rollback(True)
