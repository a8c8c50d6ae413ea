"""Bookings and payments in the back office: the seat, conversion and payment rules hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, BookingStatus, Payment
from dreamland.leads.models import LeadStatus
from dreamland.lib.tests.forms import empty_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(
    make_client: Callable[..., Any],
    make_departure: Callable[..., Any],
    make_booking: Callable[..., Any],
    make_payment: Callable[..., Any],
) -> dict[str, Any]:
    """Maria booked 2 of the 10 seats (45 000 each) and paid 1 000 of the 90 000."""
    client = make_client(name="Maria")
    departure = make_departure(capacity=10)
    booking = make_booking(client=client, tour_departure=departure, num_participants=2)
    payment = make_payment(booking=booking, amount="1000")
    return {"client": client, "departure": departure, "booking": booking, "payment": payment}


def test_adding_a_booking_checks_seats_and_prices_it_from_the_departure(
    login: Callable[[User], Any], admin_user: User, booked: dict[str, Any]
) -> None:
    http = login(admin_user)
    url = reverse("admin:bookings_booking_add")
    form = {
        "client": booked["client"].pk,
        "tour_departure": booked["departure"].pk,
        "num_participants": "9",
        **empty_inline("payments"),
    }
    too_many = http.post(url, form)
    assert too_many.status_code == 200
    assert Booking.objects.count() == 1
    form["num_participants"] = "3"
    assert http.post(url, form).status_code == 302
    booking = Booking.objects.latest("pk")
    assert booking.total_amount == Decimal("135000.00")
    assert booking.status == BookingStatus.CONFIRMED


def test_a_payment_added_in_the_admin_turns_the_booking_paid(
    login: Callable[[User], Any], admin_user: User, booked: dict[str, Any]
) -> None:
    booking = booked["booking"]
    response = login(admin_user).post(
        reverse("admin:bookings_payment_add"),
        {
            "booking": booking.pk,
            "amount": "89000",
            "currency": "KZT",
            "payment_date": (date.today() - timedelta(days=1)).isoformat(),
            "payment_method": "kaspi",
            "status": "completed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    assert Payment.objects.filter(booking=booking).count() == 2


def test_booking_a_lead_in_the_admin_converts_it(
    login: Callable[[User], Any],
    admin_user: User,
    booked: dict[str, Any],
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    http = login(admin_user)
    lead = make_lead(client=booked["client"])
    form = {
        "client": make_client().pk,
        "lead": lead.pk,
        "tour_departure": booked["departure"].pk,
        "num_participants": "1",
        **empty_inline("payments"),
    }
    other_client = http.post(reverse("admin:bookings_booking_add"), form)
    assert other_client.status_code == 200
    assert "belongs to another client" in other_client.content.decode()
    form["client"] = booked["client"].pk
    assert http.post(reverse("admin:bookings_booking_add"), form).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON
    assert Booking.objects.get(lead=lead).num_participants == 1


def test_the_payment_form_refuses_an_illegal_status_change(
    login: Callable[[User], Any], admin_user: User, booked: dict[str, Any]
) -> None:
    http = login(admin_user)
    payment = booked["payment"]
    url = reverse("admin:bookings_payment_change", args=[payment.pk])
    form = {
        "amount": "1000",
        "currency": "KZT",
        "payment_date": str(payment.payment_date),
        "payment_method": "cash",
        "status": "pending",
    }
    response = http.post(url, form)
    assert response.status_code == 200
    assert "cannot become pending" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "completed"
    form["status"] = "refunded"
    assert http.post(url, form).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "refunded"


def test_bookings_and_payments_are_not_deleted_in_the_back_office(
    login: Callable[[User], Any], admin_user: User, booked: dict[str, Any]
) -> None:
    http = login(admin_user)
    for name, row in (("booking", booked["booking"]), ("payment", booked["payment"])):
        url = reverse(f"admin:bookings_{name}_delete", args=[row.pk])
        assert http.post(url, {"post": "yes"}).status_code == 403
    assert Booking.objects.count() == Payment.objects.count() == 1
