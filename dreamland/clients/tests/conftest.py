"""Factories for the client pages' tests: a client with a history of leads, bookings, payments
and messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dreamland.bookings.models import Booking, Payment
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication


@pytest.fixture
def make_lead(db: None) -> Callable[..., Lead]:
    def make(client: Any, **fields: Any) -> Lead:
        fields.setdefault("source", "manual")
        return Lead.objects.create(client=client, **fields)

    return make


@pytest.fixture
def make_history(
    make_departure: Callable[..., Any], make_lead: Callable[..., Lead]
) -> Callable[..., None]:
    """`n` leads, bookings with a completed payment each, and messages for `client`."""

    def make(client: Any, n: int, agent: Any = None) -> None:
        departure = make_departure(capacity=10 * n + 10)
        for i in range(n):
            lead = make_lead(client, assigned_agent=agent, status="won")
            booking = Booking.objects.create(
                client=client,
                lead=lead,
                tour_departure=departure,
                num_participants=1,
                total_amount=Decimal("100000.00"),
                currency="KZT",
            )
            Payment.objects.create(
                booking=booking,
                amount=Decimal("40000.00"),
                currency="KZT",
                payment_date=date.today() - timedelta(days=i),
                payment_method="cash",
                status="completed",
            )
            Communication.objects.create(
                client=client,
                lead=lead,
                communication_type="whatsapp",
                direction="inbound" if i % 2 else "outbound",
                body=f"message {i}",
                sent_by=agent if i % 2 == 0 else None,
            )

    return make
