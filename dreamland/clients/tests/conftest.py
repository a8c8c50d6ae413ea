"""A client's history for the client pages' tests, built through the services (the root
conftest's factories): leads converted to bookings, a completed payment each, messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dreamland.bookings.conversion import lead_convert
from dreamland.messaging.models import Communication


@pytest.fixture
def make_history(
    make_departure: Callable[..., Any],
    make_lead: Callable[..., Any],
    make_payment: Callable[..., Any],
) -> Callable[..., None]:
    """`n` won leads, each with a 100 000 ₸ booking paid 40 000 ₸, and `n` messages."""

    def make(client: Any, n: int, agent: Any = None) -> None:
        departure = make_departure(capacity=n + 10)
        for i in range(n):
            lead = make_lead(client=client, assigned_agent=agent, auto_assign=False)
            booking = lead_convert(
                lead=lead,
                tour_departure=departure,
                num_participants=1,
                total_amount=Decimal("100000.00"),
                currency="KZT",
            )
            make_payment(
                booking=booking,
                amount=Decimal("40000.00"),
                payment_date=date.today() - timedelta(days=i),
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
