"""Booking pages: list, create (convert or walk-in), change, cancel, travellers, payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.audit.models import AuditEntry
from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus, Traveller
from dreamland.bookings.selectors import seats_left
from dreamland.bookings.services import booking_create, payment_create
from dreamland.leads.models import Lead, LeadStatus
from dreamland.money.models import ExchangeRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def departure(make_departure: Any, make_tour: Any) -> Any:
    return make_departure(
        tour=make_tour(name="Kolsai Lakes", capacity=5, base_price=Decimal("45000"))
    )


@pytest.fixture
def lead(agent: User, make_client: Any) -> Lead:
    return Lead.objects.create(client=make_client(name="Maria Ivanova"), assigned_agent=agent)


def _booking(lead: Lead, departure: Any, n: int = 2) -> Booking:
    return booking_create(
        client=lead.client, tour_departure=departure, num_participants=n, lead=lead
    )


def test_the_new_booking_form_lists_departures_with_seats_left_and_price(
    client: HttpClient, agent: User, lead: Lead, departure: Any, make_client: Any
) -> None:
    booking_create(client=make_client(), tour_departure=departure, num_participants=2)
    client.force_login(agent)
    html = client.get(f"/bookings/new/?lead={lead.pk}").content.decode()
    assert "Kolsai Lakes" in html and "3 seats left" in html and "₸45,000 per person" in html


def test_booking_a_lead_converts_it_with_its_travellers(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    client.force_login(agent)
    response = client.post(
        "/bookings/new/",
        {
            "lead": lead.pk,
            "tour_departure": departure.pk,
            "num_participants": 2,
            "travellers": "Maria Ivanova\nIvan Ivanov\n",
        },
    )
    booking = Booking.objects.get()
    assert response["Location"] == f"/bookings/{booking.pk}/"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON and booking.lead == lead
    assert list(booking.travellers.values_list("full_name", flat=True)) == [
        "Maria Ivanova",
        "Ivan Ivanov",
    ]
    assert booking.total_amount == Decimal("90000.00")
    assert AuditEntry.objects.filter(lead=lead, field="status", after="won").exists()


def test_a_walk_in_client_is_booked_without_a_lead(
    client: HttpClient, manager: User, make_client: Any, departure: Any
) -> None:
    walk_in = make_client(name="Walk In")
    client.force_login(manager)
    response = client.post(
        "/bookings/new/",
        {"client": walk_in.pk, "tour_departure": departure.pk, "num_participants": 1},
    )
    assert response.status_code == 302
    assert Booking.objects.get().lead is None


def test_booking_more_than_the_seats_left_is_refused_beside_the_field(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    client.force_login(agent)
    response = client.post(
        "/bookings/new/",
        {
            "lead": lead.pk,
            "tour_departure": departure.pk,
            "num_participants": 6,
            "travellers": "A\nB",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Only 5 seats left on Kolsai Lakes" in html and 'class="field has-error"' in html
    assert not Booking.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_bad_input_gets_per_field_errors_in_the_users_language(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    agent.preferred_language = "ru"
    agent.save()
    client.force_login(agent)
    response = client.post(
        "/bookings/new/",
        {"lead": lead.pk, "tour_departure": "", "num_participants": 0, "travellers": "A\nB"},
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Обязательное поле." in html
    assert not Booking.objects.exists()


def test_more_travellers_than_participants_are_refused(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    client.force_login(agent)
    response = client.post(
        "/bookings/new/",
        {
            "lead": lead.pk,
            "tour_departure": departure.pk,
            "num_participants": 1,
            "travellers": "A\nB",
        },
    )
    assert response.status_code == 422
    assert "Name at most one traveller per participant." in response.content.decode()


def test_another_agents_booking_and_lead_are_404(
    client: HttpClient, other_agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure)
    payment = payment_create(booking=booking, amount=Decimal("1000"), payment_method="cash")
    client.force_login(other_agent)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 404
    assert client.get(f"/bookings/new/?lead={lead.pk}").status_code == 404
    assert client.post(f"/bookings/{booking.pk}/cancel/").status_code == 404
    assert client.post(f"/payments/{payment.pk}/status/", {"status": "refunded"}).status_code == 404
    assert client.get("/bookings/new/").status_code == 404
    assert f"#{booking.pk}<" not in client.get("/bookings/").content.decode()


def test_changing_participants_answers_with_the_seats_left(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure, 2)
    client.force_login(agent)
    response = client.post(f"/bookings/{booking.pk}/participants/", {"num_participants": 6})
    assert response.status_code == 422
    assert "Only 5 seats left on Kolsai Lakes" in response.content.decode()
    response = client.post(f"/bookings/{booking.pk}/participants/", {"num_participants": 4})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.num_participants == 4 and booking.total_amount == Decimal("180000.00")
    html = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'participants: <span class="muted">2</span> → <strong>4</strong>' in html
    assert "Aigerim Agent" in html


def test_a_booking_moves_to_another_departure(
    client: HttpClient, agent: User, lead: Lead, departure: Any, make_departure: Any
) -> None:
    booking = _booking(lead, departure)
    later = make_departure(tour=departure.tour, departure_date=date.today() + timedelta(days=60))
    client.force_login(agent)
    assert (
        client.post(f"/bookings/{booking.pk}/move/", {"tour_departure": later.pk}).status_code
        == 302
    )
    booking.refresh_from_db()
    assert booking.tour_departure == later
    assert client.post(f"/bookings/{booking.pk}/move/", {"tour_departure": 0}).status_code == 422


def test_cancelling_frees_the_seats(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure, 4)
    assert seats_left(departure) == 1
    client.force_login(agent)
    assert client.post(f"/bookings/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and seats_left(departure) == 5
    html = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Cancel booking" not in html and "→ <strong>Cancelled</strong>" in html


def test_travellers_are_saved_and_an_expiring_document_is_flagged(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure, 2)
    client.force_login(agent)
    soon = departure.departure_date + timedelta(days=90)
    data = {
        "t-TOTAL_FORMS": 2,
        "t-INITIAL_FORMS": 0,
        "t-0-full_name": "Maria Ivanova",
        "t-0-birth_date": "1990-05-01",
        "t-0-document_number": "N123",
        "t-0-document_expiry": soon.isoformat(),
        "t-1-full_name": "Ivan Ivanov",
    }
    assert client.post(f"/bookings/{booking.pk}/travellers/", data).status_code == 302
    assert Traveller.objects.filter(booking=booking).count() == 2
    html = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Maria Ivanova's document expires on" in html
    data["t-TOTAL_FORMS"] = 3
    data["t-2-full_name"] = "Third"
    response = client.post(f"/bookings/{booking.pk}/travellers/", data)
    assert response.status_code == 422 and "name at most 2 travellers" in response.content.decode()
    response = client.post(f"/bookings/{booking.pk}/participants/", {"num_participants": 1})
    assert response.status_code == 422 and "2 travellers are named" in response.content.decode()


def test_payments_in_kzt_and_usd_turn_the_booking_paid(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure, 2)  # 90 000 KZT
    today = timezone.localdate()
    ExchangeRate.objects.create(currency="USD", date=today, rate=Decimal("500"))
    client.force_login(agent)
    pay = {
        "currency": "KZT",
        "payment_date": today.isoformat(),
        "payment_method": "kaspi",
        "status": "completed",
    }
    assert (
        client.post(f"/bookings/{booking.pk}/payments/", {**pay, "amount": "40000"}).status_code
        == 302
    )
    html = client.get(f"/bookings/{booking.pk}/").content.decode().replace("\xa0", " ")
    assert "₸50,000" in html  # balance due
    response = client.post(
        f"/bookings/{booking.pk}/payments/",
        {**pay, "amount": "100", "currency": "USD", "payment_method": "card"},
        follow=True,
    )
    html = response.content.decode().replace("\xa0", " ")
    assert "The booking is now fully paid." in html and "Fully paid" in html
    assert "1 USD = 500.0000 KZT" in html and "= ₸50,000" in html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID


def test_a_payment_without_a_rate_is_refused_beside_the_currency(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure)
    client.force_login(agent)
    response = client.post(
        f"/bookings/{booking.pk}/payments/",
        {
            "amount": "10",
            "currency": "EUR",
            "payment_date": "2026-01-05",
            "payment_method": "cash",
            "status": "completed",
        },
    )
    assert response.status_code == 422
    assert "No exchange rate for EUR on 2026-01-05" in response.content.decode()
    assert not Payment.objects.exists()


def test_payment_status_actions_follow_the_rules_and_the_booking(
    client: HttpClient, agent: User, lead: Lead, departure: Any
) -> None:
    booking = _booking(lead, departure, 1)
    payment = payment_create(
        booking=booking,
        amount=Decimal("45000"),
        payment_method="cash",
        status=PaymentStatus.PENDING,
    )
    client.force_login(agent)
    response = client.post(f"/payments/{payment.pk}/status/", {"status": "completed"}, follow=True)
    assert "The booking is fully paid." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    response = client.post(f"/payments/{payment.pk}/status/", {"status": "pending"})
    assert (
        response.status_code == 422
        and "A completed payment cannot become pending." in response.content.decode()
    )
    assert client.post(f"/payments/{payment.pk}/status/", {"status": "refunded"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert client.post(f"/payments/{payment.pk}/status/", {"status": "bogus"}).status_code == 422
    trail = list(AuditEntry.objects.filter(payment=payment).values_list("field", "before", "after"))
    assert ("status", "completed", "refunded") in trail and (
        "status",
        "pending",
        "completed",
    ) in trail
    assert AuditEntry.objects.filter(booking=booking, entity="booking", after="paid").exists()


@pytest.mark.parametrize("n", [1, 50])
def test_the_booking_page_costs_the_same_queries_for_1_and_50_payments(
    client: HttpClient,
    agent: User,
    lead: Lead,
    departure: Any,
    n: int,
    django_assert_num_queries: Any,
) -> None:
    booking = _booking(lead, departure, 2)
    ExchangeRate.objects.create(currency="USD", date=timezone.localdate(), rate=Decimal("500"))
    for i in range(n):
        payment_create(
            booking=booking,
            amount=Decimal("1"),
            payment_method="cash",
            currency="KZT" if i % 2 else "USD",
        )
    Traveller.objects.bulk_create(Traveller(booking=booking, full_name=f"T{i}") for i in range(2))
    client.force_login(agent)
    client.get(f"/bookings/{booking.pk}/")
    with django_assert_num_queries(12):
        response = client.get(f"/bookings/{booking.pk}/")
    assert response.content.decode().count("data-payment=") == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_costs_the_same_queries_for_1_and_50_bookings(
    client: HttpClient,
    manager: User,
    make_client: Any,
    make_departure: Any,
    make_tour: Any,
    n: int,
    django_assert_num_queries: Any,
) -> None:
    departure = make_departure(
        tour=make_tour(capacity=100, currency="USD", base_price=Decimal("100"))
    )
    ExchangeRate.objects.create(currency="USD", date=timezone.localdate(), rate=Decimal("500"))
    for _ in range(n):
        b = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
        payment_create(booking=b, amount=Decimal("50000"), currency="KZT", payment_method="cash")
    client.force_login(manager)
    client.get("/bookings/")
    with django_assert_num_queries(9):
        response = client.get("/bookings/")
    assert response.content.decode().count("chip chip-paid") == n


def test_the_list_filters_by_departure_status_and_balance(
    client: HttpClient, manager: User, lead: Lead, departure: Any, make_client: Any
) -> None:
    due = _booking(lead, departure, 1)
    paid = booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    payment_create(booking=paid, amount=Decimal("45000"), payment_method="cash")
    client.force_login(manager)

    def ids(query: str) -> set[int]:
        html = client.get(f"/bookings/?{query}").content.decode()
        return {b.pk for b in (due, paid) if f">#{b.pk}<" in html}

    assert ids(f"departure={departure.pk}") == {due.pk, paid.pk}
    assert ids("status=paid") == {paid.pk}
    assert ids("balance=due") == {due.pk}
    assert ids("balance=settled") == {paid.pk}
    assert client.get("/bookings/?status=bogus").status_code == 200
