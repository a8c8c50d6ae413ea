"""Tours and departures in the back office: capacity against seats booked, deletes by service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.lib.tests.forms import empty_inline
from dreamland.tours.models import Tour, TourDeparture

pytestmark = pytest.mark.django_db


def test_a_departure_capacity_cannot_drop_below_the_seats_booked(
    login: Callable[[User], Any],
    admin_user: User,
    make_departure: Callable[..., Any],
    make_booking: Callable[..., Any],
) -> None:
    http = login(admin_user)
    departure = make_departure(capacity=10)
    make_booking(tour_departure=departure, num_participants=2)
    url = reverse("admin:tours_tourdeparture_change", args=[departure.pk])
    form = {"departure_date": departure.departure_date.isoformat(), "capacity": "1"}
    response = http.post(url, form)
    assert response.status_code == 200
    assert "below the 2 seats" in response.content.decode()
    departure.refresh_from_db()
    assert departure.capacity == 10
    form["capacity"] = "2"
    assert http.post(url, form).status_code == 302
    departure.refresh_from_db()
    assert departure.capacity == 2


def test_the_departures_list_shows_seats_taken_and_occupancy(
    login: Callable[[User], Any],
    admin_user: User,
    make_departure: Callable[..., Any],
    make_booking: Callable[..., Any],
) -> None:
    departure = make_departure(capacity=8)
    make_booking(tour_departure=departure, num_participants=2)
    page = login(admin_user).get(reverse("admin:tours_tourdeparture_changelist"))
    assert "2 / 8 (25%)" in page.content.decode()


def test_a_tour_is_added_with_its_departures_inline(
    login: Callable[[User], Any], admin_user: User
) -> None:
    http = login(admin_user)
    day = (date.today() + timedelta(days=40)).isoformat()
    response = http.post(
        reverse("admin:tours_tour_add"),
        {
            "name": "Kaindy Lake",
            "base_price": "30000",
            "currency": "KZT",
            "capacity": "15",
            "duration_days": "1",
            "active": "true",
            **empty_inline("departures", 0),
            "departures-TOTAL_FORMS": "1",
            "departures-0-departure_date": day,
            "departures-0-capacity": "12",
        },
    )
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    tour = Tour.objects.get(name="Kaindy Lake")
    assert [(str(d.departure_date), d.capacity) for d in tour.departures.all()] == [(day, 12)]


def test_a_booked_departure_cannot_be_deleted_an_empty_one_can(
    login: Callable[[User], Any],
    manager: User,
    make_departure: Callable[..., Any],
    make_booking: Callable[..., Any],
) -> None:
    booked = make_booking().tour_departure
    empty = make_departure()
    http = login(manager)
    page = http.get(reverse("admin:tours_tourdeparture_delete", args=[booked.pk]))
    assert "Cannot delete tour departure" in page.content.decode()
    http.post(reverse("admin:tours_tourdeparture_delete", args=[booked.pk]), {"post": "yes"})
    assert TourDeparture.objects.filter(pk=booked.pk).exists()
    url = reverse("admin:tours_tourdeparture_delete", args=[empty.pk])
    assert http.post(url, {"post": "yes"}).status_code == 302
    assert not TourDeparture.objects.filter(pk=empty.pk).exists()


def test_tours_are_not_deleted_in_the_back_office(
    login: Callable[[User], Any], admin_user: User, make_tour: Callable[..., Any]
) -> None:
    tour = make_tour()
    url = reverse("admin:tours_tour_delete", args=[tour.pk])
    assert login(admin_user).post(url, {"post": "yes"}).status_code == 403
    assert Tour.objects.filter(pk=tour.pk).exists()
