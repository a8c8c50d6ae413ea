"""Creating and editing tours and departures from the pages: managers and admins only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.bookings.services import booking_create
from dreamland.tours.models import Tour, TourDeparture

pytestmark = pytest.mark.django_db

SOON = (date.today() + timedelta(days=15)).isoformat()
TOUR = {
    "name": "Altai Mountains",
    "description": "Five days",
    "base_price": "250000",
    "currency": "KZT",
    "capacity": "12",
    "duration_days": "5",
    "active": "on",
}


def _as(client: HttpClient, user: User) -> HttpClient:
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_admins_create_a_tour(
    client: HttpClient, persona: str, request: pytest.FixtureRequest
) -> None:
    _as(client, request.getfixturevalue(persona))
    assert client.get("/tours/new/").status_code == 200
    response = client.post("/tours/new/", TOUR)
    tour = Tour.objects.get(name="Altai Mountains")
    assert response.status_code == 302 and response["Location"] == f"/tours/{tour.pk}/"
    assert tour.base_price == Decimal("250000") and tour.capacity == 12 and tour.active


def test_an_agent_may_not_create_or_edit(
    client: HttpClient, agent: User, make_tour: Any, make_departure: Any
) -> None:
    tour, departure = make_tour(), make_departure()
    _as(client, agent)
    assert client.get("/tours/new/").status_code == 403
    assert client.post("/tours/new/", TOUR).status_code == 403
    assert client.post(f"/tours/{tour.pk}/edit/", TOUR).status_code == 403
    assert (
        client.post(f"/tours/{tour.pk}/departures/new/", {"departure_date": SOON}).status_code
        == 403
    )
    assert client.post(f"/departures/{departure.pk}/edit/", {"capacity": "1"}).status_code == 403
    assert not Tour.objects.filter(name="Altai Mountains").exists()


def test_bad_input_shows_per_field_errors_and_writes_nothing(
    client: HttpClient, manager: User
) -> None:
    _as(client, manager)
    response = client.post("/tours/new/", {**TOUR, "name": "", "base_price": "-5", "capacity": "x"})
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) >= {"name", "capacity"}
    assert not Tour.objects.exists()
    # The model's own rule (no negative price) comes back from the service on its field.
    response = client.post("/tours/new/", {**TOUR, "base_price": "-5"})
    assert response.status_code == 422 and "base_price" in response.context["form"].errors
    assert not Tour.objects.exists()


def test_errors_are_in_the_users_language(client: HttpClient, manager: User) -> None:
    manager.preferred_language = "ru"
    manager.save()
    response = _as(client, manager).post("/tours/new/", {**TOUR, "name": ""})
    assert response.status_code == 422
    assert "Обязательное поле." in response.content.decode()


def test_a_manager_edits_a_tour(client: HttpClient, manager: User, make_tour: Any) -> None:
    tour = make_tour(name="Big Almaty Lake", capacity=10)
    _as(client, manager)
    assert 'value="Big Almaty Lake"' in client.get(f"/tours/{tour.pk}/edit/").content.decode()
    response = client.post(
        f"/tours/{tour.pk}/edit/", {**TOUR, "name": "Big Almaty Lake", "capacity": "15"}
    )
    assert response.status_code == 302
    tour.refresh_from_db()
    assert tour.capacity == 15 and tour.duration_days == 5


def test_lowering_a_tours_capacity_below_the_seats_booked_is_refused(
    client: HttpClient, manager: User, make_tour: Any, make_departure: Any, make_client: Any
) -> None:
    tour = make_tour(capacity=10)
    departure = make_departure(tour=tour)  # inherits the tour's capacity
    booking_create(client=make_client(), tour_departure=departure, num_participants=8)
    response = _as(client, manager).post(f"/tours/{tour.pk}/edit/", {**TOUR, "capacity": "5"})
    assert response.status_code == 422
    assert "capacity" in response.context["form"].errors
    tour.refresh_from_db()
    assert tour.capacity == 10


def test_a_manager_adds_and_edits_a_departure(
    client: HttpClient, manager: User, make_tour: Any, make_client: Any
) -> None:
    tour = make_tour(capacity=10, base_price=Decimal("40000"))
    _as(client, manager)
    assert client.get(f"/tours/{tour.pk}/departures/new/").status_code == 200
    response = client.post(
        f"/tours/{tour.pk}/departures/new/",
        {"departure_date": SOON, "price": "", "currency": "", "capacity": "8"},
    )
    departure = TourDeparture.objects.get(tour=tour)
    assert response.status_code == 302 and response["Location"] == f"/departures/{departure.pk}/"
    assert departure.price is None and departure.currency is None and departure.capacity == 8
    booking_create(client=make_client(), tour_departure=departure, num_participants=6)
    edit = f"/departures/{departure.pk}/edit/"
    assert client.get(edit).status_code == 200
    refused = client.post(edit, {"departure_date": SOON, "capacity": "5"})
    assert refused.status_code == 422
    assert "Capacity 5 is below the 6 seats" in refused.content.decode()
    ok = client.post(edit, {"departure_date": SOON, "capacity": "9", "price": "45000"})
    assert ok.status_code == 302
    departure.refresh_from_db()
    assert departure.capacity == 9 and departure.price == Decimal("45000")


def test_a_departure_needs_a_date(client: HttpClient, manager: User, make_tour: Any) -> None:
    tour = make_tour()
    response = _as(client, manager).post(f"/tours/{tour.pk}/departures/new/", {"price": "10"})
    assert response.status_code == 422
    assert "departure_date" in response.context["form"].errors
    assert not TourDeparture.objects.exists()
