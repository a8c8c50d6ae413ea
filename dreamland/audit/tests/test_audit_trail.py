"""The audit trail: recorded by the services, shown by `{% audit_trail obj %}` in one query."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template

from dreamland.accounts.models import User
from dreamland.audit.models import AuditEntry
from dreamland.bookings.services import (
    booking_cancel,
    booking_create,
    booking_update,
    bookings_complete_past,
    payment_create,
    payment_update,
)
from dreamland.leads.models import Lead
from dreamland.leads.services import lead_assign, lead_transition

pytestmark = pytest.mark.django_db


def test_every_change_records_who_when_and_before_after(
    manager: User, agent: User, make_client: Any, make_departure: Any, make_tour: Any
) -> None:
    client = make_client()
    lead = Lead.objects.create(client=client)
    lead_assign(lead=lead, agent=agent, actor=manager)
    lead_transition(lead=lead, status="contacted", actor=agent)
    departure = make_departure(tour=make_tour(name="Charyn", capacity=10))
    other = make_departure(
        tour=departure.tour, departure_date=departure.departure_date + timedelta(days=7)
    )
    booking = booking_create(
        client=client, tour_departure=departure, num_participants=1, lead=lead, actor=agent
    )
    booking_update(booking=booking, num_participants=2, actor=agent)
    booking_update(booking=booking, tour_departure=other, actor=agent)
    payment = payment_create(
        booking=booking, amount=Decimal("1000"), payment_method="cash", actor=agent
    )
    payment_update(payment=payment, amount=Decimal("2000"), actor=manager)
    booking_cancel(booking=booking, actor=manager)
    rows = list(
        AuditEntry.objects.order_by("pk").values_list(
            "entity", "field", "before", "after", "actor__name"
        )
    )
    assert rows == [
        ("lead", "assigned_agent", "", "Aigerim Agent", "Madina Manager"),
        ("lead", "status", "new", "contacted", "Aigerim Agent"),
        ("booking", "status", "", "confirmed", "Aigerim Agent"),
        ("booking", "num_participants", "1", "2", "Aigerim Agent"),
        ("booking", "total_amount", "45000.00 KZT", "90000.00 KZT", "Aigerim Agent"),
        ("booking", "tour_departure", str(departure), str(other), "Aigerim Agent"),
        ("payment", "amount", "", "1000.00 KZT", "Aigerim Agent"),
        ("payment", "status", "", "completed", "Aigerim Agent"),
        ("payment", "amount", "1000.00 KZT", "2000.00 KZT", "Madina Manager"),
        ("booking", "status", "confirmed", "cancelled", "Madina Manager"),
    ]
    assert AuditEntry.objects.filter(client=client).count() == len(rows)
    assert AuditEntry.objects.filter(booking=booking).count() == 8


def test_the_daily_job_records_completed_bookings(make_client: Any, make_departure: Any) -> None:
    from datetime import date

    departure = make_departure(departure_date=date.today() + timedelta(days=1))
    booking = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    assert bookings_complete_past(today=date.today() + timedelta(days=2)) == 1
    entry = AuditEntry.objects.filter(booking=booking).latest("pk")
    assert (entry.before, entry.after, entry.actor) == ("confirmed", "completed", None)


def test_the_tag_shows_a_clients_trail_in_one_query(
    manager: User, make_client: Any, django_assert_num_queries: Any
) -> None:
    client = make_client()
    for _ in range(5):
        lead = Lead.objects.create(client=client)
        lead_transition(lead=lead, status="lost", actor=manager)
    template = Template("{% load audit %}{% audit_trail obj %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"obj": client}))
    assert html.count("Madina Manager") == 5 and "→ <strong>Lost</strong>" in html
    assert "No changes yet" in Template("{% load audit %}{% audit_trail obj %}").render(
        Context({"obj": make_client()})
    )
