from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dreamland.bookings.selectors import client_bookings, client_lifetime_value, client_payments
from dreamland.bookings.services import booking_create, payment_create, payment_set_status
from dreamland.money.models import ExchangeRate

pytestmark = pytest.mark.django_db


def test_lifetime_value_sums_completed_payments_at_each_payment_dates_rate(
    make_client, make_departure, django_assert_max_num_queries
):
    maria = make_client(name="Maria")
    ExchangeRate.objects.create(currency="USD", date=date(2025, 6, 2), rate=Decimal("500"))
    ExchangeRate.objects.create(currency="USD", date=date(2026, 11, 25), rate=Decimal("520"))
    year1 = booking_create(
        client=maria,
        tour_departure=make_departure(price=Decimal("200"), currency="USD"),
        num_participants=1,
    )
    year2 = booking_create(
        client=maria, tour_departure=make_departure(price=Decimal("90000")), num_participants=1
    )
    payment_create(
        booking=year1, amount=Decimal("200"), payment_date=date(2025, 6, 2), payment_method="card"
    )
    payment_create(
        booking=year2,
        amount=Decimal("50000"),
        payment_date=date(2026, 11, 25),
        payment_method="kaspi",
    )
    refunded = payment_create(
        booking=year2,
        amount=Decimal("40000"),
        payment_date=date(2026, 11, 25),
        payment_method="cash",
    )
    payment_set_status(payment=refunded, status="refunded")
    payment_create(
        booking=year2,
        amount=Decimal("1000"),
        payment_date=date(2026, 11, 25),
        payment_method="cash",
        status="pending",
    )

    with django_assert_max_num_queries(2):
        kzt = client_lifetime_value(client=maria)
    assert kzt == Decimal("150000.00")  # 200 USD x 500 + 50 000 KZT
    assert client_lifetime_value(client=maria, currency="USD") == Decimal(
        "296.15"
    )  # 200 + 50 000 / 520 (each at its own date)
    assert client_lifetime_value(client=make_client()) == Decimal("0.00")


def test_history_lists_bookings_with_payments_without_n_plus_one(
    make_client, make_departure, django_assert_num_queries
):
    client = make_client()
    for _ in range(3):
        b = booking_create(client=client, tour_departure=make_departure(), num_participants=1)
        payment_create(booking=b, amount=Decimal("100"), payment_method="cash")
    with django_assert_num_queries(2):
        rows = [
            (b.tour_departure.tour.name, [p.amount for p in b.payments.all()])
            for b in client_bookings(client)
        ]
    assert len(rows) == 3
    assert client_payments(client).count() == 3
