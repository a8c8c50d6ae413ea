"""Leads under simultaneous requests: one conversion wins; round-robin stays fair."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from dreamland.accounts.models import Role, User
from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking
from dreamland.bookings.tests.threads import run_together, threaded_db
from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.services import lead_create
from dreamland.lib.errors import DomainError
from dreamland.tours.models import Tour, TourDeparture

__all__ = ["threaded_db"]
pytestmark = pytest.mark.usefixtures("threaded_db")


def _code(exc: Exception) -> str:
    return exc.code if isinstance(exc, DomainError) else f"error: {exc!r}"


def test_a_lead_converted_by_two_agents_at_once_books_once() -> None:
    client = Client.objects.create(name="Maria", phone="+77010000001")
    lead = Lead.objects.create(client=client, status=LeadStatus.QUOTED)
    tour = Tour.objects.create(name="Altai", capacity=10, base_price=100)
    departure = TourDeparture.objects.create(tour=tour, departure_date="2026-12-01")

    outcomes = run_together(
        [partial(lead_convert, lead=lead, tour_departure=departure, num_participants=2)] * 6, _code
    )

    assert outcomes == Counter({"ok": 1, "already_converted": 5})
    assert Booking.objects.filter(lead=lead).count() == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON


def test_round_robin_gives_simultaneous_leads_to_agents_in_turn(settings) -> None:
    settings.LEAD_ROUND_ROBIN = True
    agents = [
        User.objects.create_user(
            email=f"a{i}@d.test", password="x" * 12, name=f"A{i}", role=Role.AGENT
        )
        for i in range(3)
    ]
    clients = [Client.objects.create(name=f"C{i}", phone=f"+770100002{i:02d}") for i in range(12)]

    outcomes = run_together([partial(lead_create, client=c) for c in clients], _code)

    assert outcomes == Counter({"ok": 12})
    per_agent = Counter(Lead.objects.values_list("assigned_agent_id", flat=True))
    assert per_agent == Counter({a.pk: 4 for a in agents})
